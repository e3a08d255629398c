#!/usr/bin/env bash
# Builds the WebAssembly module with Debian's Emscripten into build/wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's emcc runs its JavaScript tools with node; a node that is not Debian's own needs Debian's modules path.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
# Optimised for size: a browser downloads the module with the page. Measured against -O3 in one run of
# bench/browser.mjs --quick: 164 KB gzip shipped instead of 203 KB, RAM hits 0.62× lru-cache against 0.63×.
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-Os -DNDEBUG" \
  -DCMAKE_EXE_LINKER_FLAGS_RELEASE=-Os > build-wasm.log 2>&1 || { cat build-wasm.log; exit 1; }
cmake --build build/wasm -j2 >> build-wasm.log 2>&1 || { cat build-wasm.log; exit 1; }
rm -f build-wasm.log
ls -l build/wasm/wasm/stratacache_wasm.mjs build/wasm/wasm/stratacache_wasm.wasm
