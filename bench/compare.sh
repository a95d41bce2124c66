#!/usr/bin/env bash
# Both engines side by side on one mesh and one network (SPEC §10): the PyTorch reference checks
# the engine's outputs on the same inputs and prints its timings, then nfs_bench times the engine
# on a mesh of the same size, in the same table format. Works on a CPU or a GPU machine.
#
#   bench/compare.sh [--device cpu|cuda] [--mesh T.obj] [--source A.obj ...] [--model M.safetensors]
#                    [--paper] [--no-skinning] [--batch 8] [--repeat 3] [--threads N] [--build DIR] [--out DIR]
#                    [--ict-model ASSET]
#
# Defaults: the ICT head neutral (11248 vertices) as target, two ICT expressions as sources, the
# bundled model (its session-5 expression encoder is beyond the reference, which then says so: use
# --paper). --paper times the paper-size network (random weights) instead; --no-skinning
# its ablation. --threads N: both engines' CPU threads (torch/OpenBLAS; NFS_THREADS for nfs_bench).
# PYTHON picks the interpreter (default: the first python3 that imports torch).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
device=cpu mesh="" model="$root/models/nfs_default.safetensors" paper=0 skin_flag="" batch=8 repeat=3
threads="" build="$root/build" out="" sources=()
ict="$root/../shared/data/ict-facekit/ict_face_model.safetensors"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --mesh) mesh=$2; shift 2 ;;
    --source) shift; while [[ $# -gt 0 && $1 != --* ]]; do sources+=("$1"); shift; done ;;
    --model) model=$2; shift 2 ;;
    --paper) paper=1; shift ;;
    --no-skinning) skin_flag=--no-skinning; shift ;;
    --batch) batch=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --ict-model) ict=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -z ${PYTHON:-} ]]; then
  for p in python3 /usr/bin/python3; do
    if "$p" -c "import torch" 2>/dev/null; then PYTHON=$p; break; fi
  done
  [[ -n ${PYTHON:-} ]] || { echo "compare.sh: no python3 with torch (Debian: apt install python3-torch)" >&2; exit 1; }
fi
for b in nfs_tools nfs_bench; do
  [[ -x $build/$b ]] || { echo "compare.sh: $build/$b not built (cmake --build $build --target $b)" >&2; exit 1; }
done
if [[ -z $out ]]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
mkdir -p "$out"

if [[ $paper == 1 ]]; then
  model="$out/paper_model.safetensors"
  "$build/nfs_tools" init-model -o "$model" $skin_flag
elif [[ -n $skin_flag ]]; then
  echo "compare.sh: --no-skinning goes with --paper (a trained ablation is a --model)" >&2; exit 2
fi
if [[ -z $mesh ]]; then
  mesh="$out/ict_neutral.obj"
  "$build/nfs_tools" ict-shape "$ict" -o "$mesh"
  if [[ ${#sources[@]} == 0 ]]; then
    "$build/nfs_tools" ict-shape "$ict" --expression jawOpen=1 -o "$out/ict_jaw_open.obj"
    "$build/nfs_tools" ict-shape "$ict" --expression mouthSmile_L=1 --expression eyeBlink_R=1 -o "$out/ict_smile.obj"
    sources=("$out/ict_jaw_open.obj" "$out/ict_smile.obj")
  fi
fi
[[ ${#sources[@]} -gt 0 ]] || sources=("$mesh")

inputs="$out/reference_inputs.safetensors"
"$build/nfs_tools" reference-inputs --model "$model" --source "${sources[@]}" --target "$mesh" -o "$inputs" \
  --device "$device" --ict-model "$ict"
vertices=$("$PYTHON" -c 'import json, struct, sys
f = open(sys.argv[1], "rb"); n = struct.unpack("<Q", f.read(8))[0]
print(json.loads(f.read(n))["__metadata__"]["target_vertices"])' "$inputs")

echo
echo "== PyTorch reference =="
"$PYTHON" "$root/bench/reference/nfs_reference.py" "$inputs" --device "$device" --batch "$batch" --repeat "$repeat" \
  ${threads:+--threads "$threads"} --json "$out/reference.json"
echo
echo "== nfs engine (nfs_bench, $vertices vertices: the ICT head at 11248, else a re-meshed ICT head) =="
${threads:+env NFS_THREADS="$threads"} "$build/nfs_bench" --device "$device" --sizes "$vertices" --batch "$batch" --repeat "$repeat" --model "$model" \
  --ict-model "$ict" --no-train \
  --json "$out/nfs_bench.json"
