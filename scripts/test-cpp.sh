#!/usr/bin/env bash
# Builds the core's GoogleTest suites three times — plain, under AddressSanitizer + UndefinedBehaviorSanitizer,
# and under ThreadSanitizer — with warnings as errors, and runs each through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
for variant in release asan tsan; do
  flags=(-DSTRATA_WERROR=ON)
  case "$variant" in
    asan) flags+=(-DSTRATA_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    tsan) flags+=(-DSTRATA_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  esac
  cmake -S . -B "build/cpp-$variant" "${flags[@]}" > /dev/null
  cmake --build "build/cpp-$variant" -j"$jobs" > "build/cpp-$variant.log" 2>&1 || { cat "build/cpp-$variant.log"; exit 1; }
  echo "== core tests ($variant)"
  ctest --test-dir "build/cpp-$variant" --output-on-failure -j"$jobs" --output-junit junit.xml
done
