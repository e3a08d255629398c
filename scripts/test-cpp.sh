#!/usr/bin/env bash
# Builds the core's GoogleTest suites twice — plain, and under AddressSanitizer + UndefinedBehaviorSanitizer —
# with warnings as errors, and runs both through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
for variant in release asan; do
  flags=(-DSTRATA_WERROR=ON)
  if [ "$variant" = asan ]; then flags+=(-DSTRATA_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo); fi
  cmake -S . -B "build/cpp-$variant" "${flags[@]}" > /dev/null
  cmake --build "build/cpp-$variant" -j"$jobs" > "build/cpp-$variant.log" 2>&1 || { cat "build/cpp-$variant.log"; exit 1; }
  echo "== core tests ($variant)"
  ctest --test-dir "build/cpp-$variant" --output-on-failure -j"$jobs" --output-junit junit.xml
done
