#!/usr/bin/env bash
# Everything a fresh Debian 12 clone needs before the demo or the tests: system packages, npm packages, and a
# build of every target (the core, the Node-API addon, the WebAssembly module, the TypeScript API).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
npm ci --no-audit --no-fund
npm run build
