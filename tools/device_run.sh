#!/usr/bin/env bash
# The one prepared GPU run (issue 17), in the repository root of the device machine:
#   bash tools/device_run.sh [--minutes 12] [--bin DIR] [--dry-run] [--only env,tests,bench,train]
#                            [--train-seconds S] [--train-config JSON]
# Results go under $OUT (default out/device): env.txt, gpu_tests.log, bench.json, bench.log,
# train/ (model, optimizer state, log.csv every checkpoint) and summary.txt. Each step is
# time-boxed and logged; a failing step does not stop the next. --dry-run rehearses the same
# steps on the CPU here (CPU tests of the GPU files, a small CPU bench, --train-seconds (60) of
# training with --train-config or the cpu-small preset). --only runs the listed steps.
# Binaries come from --bin (default $NFS_DEVICE_DIR/bin when it exists, else build/), where
# $NFS_DEVICE_DIR (default .device) holds tools/device_pack.sh's pack, unpacked here first. A
# training state carried in $NFS_DEVICE_DIR/train is resumed.
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=12
dry=0
bin=""
only="env,tests,bench,train"
train_seconds=60
train_config=""
dev="${NFS_DEVICE_DIR:-.device}"
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    --only) only="$2"; shift 2 ;;
    --train-seconds) train_seconds="$2"; shift 2 ;;
    --train-config) train_config="$2"; shift 2 ;;
    -h|--help) sed -n 2,13p "$0"; exit 0 ;;
    *) echo "device_run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for s in ${only//,/ }; do
  case "$s" in env|tests|bench|train) ;; *) echo "device_run.sh: --only: unknown step '$s' (env, tests, bench, train)" >&2; exit 2 ;; esac
done
runs() { [[ ",$only," == *",$1,"* ]]; }
[[ "$train_seconds" =~ ^[0-9]+$ ]] || { echo "device_run.sh: --train-seconds must be an integer" >&2; exit 2; }
[ -z "$train_config" ] || [ -f "$train_config" ] || { echo "device_run.sh: --train-config $train_config: no such file" >&2; exit 2; }
[[ "$minutes" =~ ^[0-9]+$ ]] && [ "$minutes" -ge 2 ] || { echo "device_run.sh: --minutes must be an integer >= 2" >&2; exit 2; }
# The pack of tools/device_pack.sh: binaries, their libraries and the ICT asset.
if [ -f "$dev/pack.tar.xz" ] && [ ! -d "$dev/bin" ]; then
  tar -C "$dev" -xJf "$dev/pack.tar.xz" 2>/dev/null ||
    python3 -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$dev/pack.tar.xz" "$dev" ||
    { echo "device_run.sh: cannot unpack $dev/pack.tar.xz" >&2; exit 2; }
fi
[ -d "$dev/lib" ] && export LD_LIBRARY_PATH="$(cd "$dev/lib" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The CUDA runtime, cuBLAS and cuSPARSE come from the machine's toolkit (not packed).
for d in /usr/local/cuda/lib64 /usr/local/cuda/lib; do
  [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done
if [ -z "$bin" ]; then
  if [ -d "$dev/bin" ]; then bin="$dev/bin"; else bin=build; fi
fi
tests="$bin/nfs_tests"
[ -x "$tests" ] || tests="$bin/tests/nfs_tests"
for b in nfs_infer nfs_bench nfs_train; do
  [ -x "$bin/$b" ] || { echo "device_run.sh: $bin/$b is missing (build first, or --bin DIR)" >&2; exit 2; }
done
[ -x "$tests" ] || { echo "device_run.sh: no nfs_tests under $bin" >&2; exit 2; }
# Builds made on the development machine look for ../shared (the ICT asset) at /work/shared;
# on the device machine a carried copy in $dev/shared stands in for it.
if [ $dry = 0 ] && [ -d "$dev/shared" ] && [ ! -e /work/shared ]; then mkdir -p /work && ln -s "$(cd "$dev/shared" && pwd)" /work/shared; fi
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
  timeout --signal=TERM --kill-after=10 "$limit" "$@"
  local rc=$?
  note "$name: exit $rc after $(( $(date +%s) - t0 )) s (limit $limit s)"
}

# a. the machine, and a loud failure when a GPU is there but the engine sees none
{
  echo "date: $(date -u)"; uname -a
  nvidia-smi 2>&1 || echo "nvidia-smi: not available"
  (command -v nvcc >/dev/null && nvcc --version) || echo "nvcc: not on PATH"
  echo "engine:"; "$bin/nfs_infer" devices 2>&1
  echo "libraries:"; for b in "$bin"/nfs_* "$tests"; do echo "$b"; ldd "$b" 2>&1; done
} > "$out/env.txt" 2>&1
if grep -q "=> not found" "$out/env.txt"; then
  note "FAIL: a binary needs a library this machine lacks (see env.txt, 'not found'); pack it with tools/device_pack.sh"
fi
gpu_present=0
nvidia-smi -L >/dev/null 2>&1 && gpu_present=1
engine_cuda=0
"$bin/nfs_infer" devices 2>&1 | grep -q "^cuda: available" && engine_cuda=1
if [ $dry = 0 ] && [ $gpu_present = 1 ] && [ $engine_cuda = 0 ]; then
  note "FAIL: nvidia-smi sees a GPU but the engine sees no CUDA device (driver older than the toolkit needs? see env.txt); GPU tests would all skip"
fi
note "gpu present: $gpu_present, engine sees cuda: $engine_cuda, dry run: $dry"

# b. the CUDA tests (on a dry run: the same files' CPU cases)
if ! runs tests; then
  note "tests: not run (--only)"
elif [ $dry = 1 ]; then
  step "tests [cpu]" $(( $(left) / 4 )) "$tests" "[cpu]" --reporter compact > "$out/gpu_tests.log" 2>&1
else
  step "tests [gpu]" $(( $(left) / 4 )) "$tests" "[gpu]" --reporter compact > "$out/gpu_tests.log" 2>&1
  if command -v compute-sanitizer >/dev/null; then
    step "memcheck" 60 compute-sanitizer --tool memcheck "$tests" "cuda-parity/*" > "$out/memcheck.log" 2>&1
  fi
fi

# c. speed
if ! runs bench; then
  note "bench: not run (--only)"
elif [ $dry = 1 ]; then
  step "bench cpu" $(( $(left) / 3 )) "$bin/nfs_bench" --device cpu --sizes 1000 --repeat 1 --no-train \
    --json "$out/bench.json" > "$out/bench.log" 2>&1
else
  step "bench cuda" $(( $(left) / 3 )) "$bin/nfs_bench" --device cuda --sizes 1000,5000,11248,50000,200000 \
    --json "$out/bench.json" > "$out/bench.log" 2>&1
fi

# d. training for what is left minus a minute, checkpointing often; resume a carried state
if runs train; then
  mkdir -p "$out/train"
  resume=()
  if [ -f "$dev/train/train_state.json" ]; then
    cp "$dev"/train/* "$out/train/" && resume=(--resume)
    note "resuming the carried state at $(cat "$dev/train/train_state.json")"
  fi
  recipe=(--preset cpu-small)
  [ -n "$train_config" ] && recipe=(--config "$train_config")
  if [ $dry = 1 ]; then
    step "train (dry run, $train_seconds s)" "$train_seconds" "$bin/nfs_train" "${recipe[@]}" --device cpu --steps 100000 \
      --checkpoint-every 20 --validate-every 100 --out "$out/train" "${resume[@]}" > "$out/train.log" 2>&1
  else
    # The paper's network with the recipe that learns on the CPU (the paper preset's losses left
    # the CPU model neutral: docs/TRAINING.md); --preset paper is the paper's own recipe.
    step "train (gpu preset)" $(( $(left) - 60 )) "$bin/nfs_train" --preset gpu --device cuda --steps 1000000 \
      --checkpoint-every 200 --validate-every 500 --out "$out/train" "${resume[@]}" > "$out/train.log" 2>&1
  fi
else
  note "train: not run (--only)"
fi
[ -f "$out/train/train_state.json" ] && note "training state: $(cat "$out/train/train_state.json")"
note "total: $(( $(date +%s) - start )) s of $((minutes * 60)) s"
