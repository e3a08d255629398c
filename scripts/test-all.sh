#!/usr/bin/env bash
# The whole suite: the core's GoogleTest suites (plain, ASan + UBSan, TSan), the fuzzers for a bounded time, and
# the Jest suites over both backends.
# Runs everything even when one part fails, then prints one closing line for all of it.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -f build/jest.json build/cpp-*/junit.xml build/fuzz/junit.xml
status=0
bash scripts/test-cpp.sh || status=1
bash scripts/fuzz.sh || status=1
# The tests' own types: ts-jest only transpiles, so a test could drift from the API it claims to use.
npx tsc -p tests/js/tsconfig.json --noEmit || status=1
node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=build/jest.json "$@" || status=1
node scripts/summary.mjs build/cpp-release/junit.xml build/cpp-asan/junit.xml build/cpp-tsan/junit.xml \
  build/fuzz/junit.xml build/jest.json || status=1
exit $status
