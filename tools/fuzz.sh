#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan) in build-fuzz/ and runs each for N minutes
# on the seeds in tests/fuzz/corpus/<format>/. New inputs go to build-fuzz/corpus/<format>/, crashes,
# leaks, timeouts (> 1 s) and out-of-memory inputs (> 1 GB) to build-fuzz/crashes/<format>/; the
# summary table (executions, edges covered, findings) to build-fuzz/summary.md.
#   bash tools/fuzz.sh [--minutes N] [--jobs J] [FORMAT ...]   (default: 10 minutes, every format)
# A finding is fixed, then its input is copied to tests/fuzz/regressions/<format>/ so that the normal
# test suite replays it (tests/fuzz/test_fuzz_regressions.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=10
jobs=1
formats=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) formats+=("$1"); shift ;;
  esac
done
all=(obj gltf checkpoint operator_cache weights_csv train_config)
[ ${#formats[@]} -eq 0 ] && formats=("${all[@]}")
for f in "${formats[@]}"; do
  [[ " ${all[*]} " == *" $f "* ]] || { echo "fuzz.sh: unknown format '$f' (one of: ${all[*]})" >&2; exit 2; }
done

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFS_WITH_CUDA=OFF \
  -DNFS_BUILD_TESTS=OFF -DNFS_FUZZ=ON -DNFS_SANITIZE=address,undefined > build-fuzz.configure.log
rm -f build-fuzz.configure.log
cmake --build build-fuzz -j "$(nproc)" --target $(printf 'nfs_fuzz_%s ' "${formats[@]}")

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
summary=build-fuzz/summary.md
{
  echo "| harness | minutes | executions | edges (cov) | features (ft) | corpus | findings |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} > "$summary"
run_one() {
  local f="$1" log="build-fuzz/fuzz_$1.log"
  mkdir -p "build-fuzz/corpus/$f" "build-fuzz/crashes/$f"
  local dict=()
  [ -f "tests/fuzz/dict/$f.dict" ] && dict=("-dict=tests/fuzz/dict/$f.dict")
  echo "fuzzing $f for $minutes min -> $log"
  # -close_fd_mask=1: the readers' notes on stdout would only slow the run down.
  "build-fuzz/tests/fuzz/nfs_fuzz_$f" "build-fuzz/corpus/$f" "tests/fuzz/corpus/$f" "${dict[@]}" \
    -max_total_time=$((minutes * 60)) -timeout=1 -rss_limit_mb=1024 -malloc_limit_mb=1024 \
    -max_len=$((3 * 1024 * 1024)) -print_final_stats=1 -close_fd_mask=1 \
    -artifact_prefix="build-fuzz/crashes/$f/" > "$log" 2>&1 || true
  local execs cov ft corp found
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  corp=$(ls "build-fuzz/corpus/$f" | wc -l)
  found=$(ls "build-fuzz/crashes/$f" | wc -l)
  echo "| $f | $minutes | ${execs:-?} | ${cov:-?} | ${ft:-?} | $corp | $found |" >> "$summary"
  echo "  $f: ${execs:-?} executions, cov ${cov:-?}, findings $found"
}
export -f run_one
export minutes summary
printf '%s\n' "${formats[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'
cat "$summary"
if [ -n "$(ls -A build-fuzz/crashes 2>/dev/null | xargs -I{} ls -A build-fuzz/crashes/{})" ]; then
  echo "fuzz.sh: findings in build-fuzz/crashes/ (reproduce: build-fuzz/tests/fuzz/nfs_fuzz_<format> FILE)" >&2
  exit 1
fi
