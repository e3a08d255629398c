#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) and runs each for FUZZ_SECONDS (default 20)
# over its corpus in tests/fuzz/corpus/<target>. New inputs go to a scratch folder (FUZZ_MERGE=1: merged into the
# kept corpus, only those that add coverage), crashes to build/fuzz/crashes/.
# Writes build/fuzz/junit.xml (one case per target) for the suite's closing line.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DSTRATA_FUZZ=ON -DSTRATA_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
targets=()
for corpus in tests/fuzz/corpus/*/; do targets+=("$(basename "$corpus")"); done
cmake --build build/fuzz -j"$(nproc)" --target "${targets[@]}" > build/fuzz.log 2>&1 || { cat build/fuzz.log; exit 1; }
mkdir -p build/fuzz/crashes
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cases=""
failures=0
for target in "${targets[@]}"; do
  corpus="tests/fuzz/corpus/$target"
  mkdir -p "$scratch/$target"
  echo "== fuzz $target (${seconds}s)"
  if "build/fuzz/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/crashes/$target-" "$scratch/$target" "$corpus" > "build/fuzz/$target.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "build/fuzz/$target.log" | tail -2
    cases+="<testcase name=\"$target\"/>"
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
      "build/fuzz/tests/fuzz/$target" -merge=1 "$corpus" "$scratch/$target" > /dev/null 2>&1
    fi
  else
    tail -40 "build/fuzz/$target.log"
    cases+="<testcase name=\"$target\"><failure>see build/fuzz/$target.log</failure></testcase>"
    failures=$((failures + 1))
  fi
done
printf '<testsuite name="fuzz" tests="%d" failures="%d">%s</testsuite>\n' "${#targets[@]}" "$failures" "$cases" \
  > build/fuzz/junit.xml
[ "$failures" -eq 0 ]
