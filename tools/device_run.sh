#!/usr/bin/env bash
# The one prepared GPU run (issue 17), in the repository root of the device machine:
#   bash tools/device_run.sh [--minutes 12] [--bin DIR] [--dry-run]
# Results go under $OUT (default out/device): env.txt, gpu_tests.log, bench.json, bench.log,
# train/ (model, optimizer state, log.csv every checkpoint) and summary.txt. Each step is
# time-boxed and logged; a failing step does not stop the next. --dry-run rehearses the same
# steps on the CPU here (CPU tests of the GPU files, a small CPU bench, 60 s of training).
# Binaries come from --bin (default .device/bin when it exists, else build/). A training state
# carried in .device/train is resumed.
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=12
dry=0
bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "device_run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$minutes" =~ ^[0-9]+$ ]] && [ "$minutes" -ge 2 ] || { echo "device_run.sh: --minutes must be an integer >= 2" >&2; exit 2; }
if [ -z "$bin" ]; then
  if [ -d .device/bin ]; then bin=.device/bin; else bin=build; fi
fi
tests="$bin/nfs_tests"
[ -x "$tests" ] || tests="$bin/tests/nfs_tests"
for b in nfs_infer nfs_bench nfs_train; do
  [ -x "$bin/$b" ] || { echo "device_run.sh: $bin/$b is missing (build first, or --bin DIR)" >&2; exit 2; }
done
[ -x "$tests" ] || { echo "device_run.sh: no nfs_tests under $bin" >&2; exit 2; }
# Builds made on the development machine look for ../shared (the ICT asset) at /work/shared;
# on the device machine a carried copy in .device/shared stands in for it.
if [ -d .device/shared ] && [ ! -e /work/shared ]; then mkdir -p /work && ln -s "$PWD/.device/shared" /work/shared; fi
out="${OUT:-out/device}"
mkdir -p "$out"
start=$(date +%s)
deadline=$((start + minutes * 60))
left() { echo $((deadline - $(date +%s))); }
summary="$out/summary.txt"
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }
# Runs a step for at most $1 seconds; logs its exit status.
step() {
  local name="$1" limit="$2"; shift 2
  [ "$limit" -lt 5 ] && { note "$name: skipped (no time left)"; return; }
  local t0=$(date +%s)
  timeout --signal=INT --kill-after=10 "$limit" "$@"
  local rc=$?
  note "$name: exit $rc after $(( $(date +%s) - t0 )) s (limit $limit s)"
}

# a. the machine, and a loud failure when a GPU is there but the engine sees none
{
  echo "date: $(date -u)"; uname -a
  nvidia-smi 2>&1 || echo "nvidia-smi: not available"
  (command -v nvcc >/dev/null && nvcc --version) || echo "nvcc: not on PATH"
  echo "engine:"; "$bin/nfs_infer" devices 2>&1
} > "$out/env.txt" 2>&1
gpu_present=0
nvidia-smi -L >/dev/null 2>&1 && gpu_present=1
engine_cuda=0
"$bin/nfs_infer" devices 2>&1 | grep -q "^cuda: available" && engine_cuda=1
if [ $dry = 0 ] && [ $gpu_present = 1 ] && [ $engine_cuda = 0 ]; then
  note "FAIL: nvidia-smi sees a GPU but the engine sees no CUDA device (driver older than the toolkit needs? see env.txt); GPU tests would all skip"
fi
note "gpu present: $gpu_present, engine sees cuda: $engine_cuda, dry run: $dry"

# b. the CUDA tests (on a dry run: the same files' CPU cases)
if [ $dry = 1 ]; then
  step "tests [cpu]" $(( $(left) / 4 )) "$tests" "[cpu]" --reporter compact > "$out/gpu_tests.log" 2>&1
else
  step "tests [gpu]" $(( $(left) / 4 )) "$tests" "[gpu]" --reporter compact > "$out/gpu_tests.log" 2>&1
  if command -v compute-sanitizer >/dev/null; then
    step "memcheck" 60 compute-sanitizer --tool memcheck "$tests" "cuda-parity/*" > "$out/memcheck.log" 2>&1
  fi
fi

# c. speed
if [ $dry = 1 ]; then
  step "bench cpu" $(( $(left) / 3 )) "$bin/nfs_bench" --device cpu --sizes 1000 --repeat 1 --no-train \
    --json "$out/bench.json" > "$out/bench.log" 2>&1
else
  step "bench cuda" $(( $(left) / 3 )) "$bin/nfs_bench" --device cuda --sizes 1000,5000,11248,50000,200000 \
    --json "$out/bench.json" > "$out/bench.log" 2>&1
fi

# d. training for what is left minus a minute, checkpointing often; resume a carried state
mkdir -p "$out/train"
resume=()
if [ -f .device/train/train_state.json ]; then
  cp .device/train/* "$out/train/" && resume=(--resume)
  note "resuming the carried state at $(cat .device/train/train_state.json)"
fi
if [ $dry = 1 ]; then
  step "train (cpu-small, 60 s)" 60 "$bin/nfs_train" --preset cpu-small --device cpu --steps 100000 \
    --checkpoint-every 20 --validate-every 100 --out "$out/train" "${resume[@]}" > "$out/train.log" 2>&1
else
  step "train (paper)" $(( $(left) - 60 )) "$bin/nfs_train" --preset paper --device cuda --steps 1000000 \
    --checkpoint-every 200 --validate-every 500 --out "$out/train" "${resume[@]}" > "$out/train.log" 2>&1
fi
[ -f "$out/train/train_state.json" ] && note "training state: $(cat "$out/train/train_state.json")"
note "total: $(( $(date +%s) - start )) s of $((minutes * 60)) s"
