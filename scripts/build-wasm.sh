#!/usr/bin/env bash
# Builds the WebAssembly module with Debian's Emscripten into build/wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's emcc runs its JavaScript tools with node; a node that is not Debian's own needs Debian's modules path.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release > build-wasm.log 2>&1 || { cat build-wasm.log; exit 1; }
cmake --build build/wasm -j2 >> build-wasm.log 2>&1 || { cat build-wasm.log; exit 1; }
rm -f build-wasm.log
ls -l build/wasm/wasm/stratacache_wasm.mjs build/wasm/wasm/stratacache_wasm.wasm
