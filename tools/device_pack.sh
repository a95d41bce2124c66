#!/usr/bin/env bash
# Packs what the GPU run (tools/device_run.sh, issue 17) takes to the device machine into the
# ignored folder .device/, and checks it fits beside the working tree in what may travel:
#   bash tools/device_pack.sh [--build DIR] [--limit-mib 64] [--allow-cpu]
# .device/pack.tar.xz holds (device_run.sh unpacks it there):
#   bin/     nfs_infer nfs_train nfs_bench nfs_tests, stripped, from DIR (default build/)
#   lib/     the shared libraries they need beyond glibc and the CUDA runtime (the device machine
#            has no Debian packages); device_run.sh puts it on LD_LIBRARY_PATH
#   shared/data/ict-facekit/   the ICT asset and its LICENSE (the paper preset trains on it)
# xz: the asset shrinks 21 -> 7 MB, the binaries about 4x. A previous run's training state stays
# in .device/train/ (device_run.sh resumes it). Carry ".device" in the run call.
# Prints the sizes; exits 1 when tree + pack exceed the limit. --allow-cpu packs a CPU-only build
# (the dry run's rehearsal here).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
limit_mib=64
dev="${NFS_DEVICE_DIR:-.device}"  # where the pack goes (tests use a temporary folder)
allow_cpu=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --limit-mib) limit_mib="$2"; shift 2 ;;
    --allow-cpu) allow_cpu=1; shift ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    *) echo "device_pack.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$limit_mib" =~ ^[0-9]+$ ]] || { echo "device_pack.sh: --limit-mib must be an integer" >&2; exit 2; }
tests="$build/tests/nfs_tests"
[ -x "$tests" ] || tests="$build/nfs_tests"
for b in "$build/nfs_infer" "$build/nfs_train" "$build/nfs_bench" "$tests"; do
  [ -x "$b" ] || { echo "device_pack.sh: $b is missing (build first, or --build DIR)" >&2; exit 2; }
done
if "$build/nfs_infer" devices | grep -q "cuda: not built in" && [ $allow_cpu = 0 ]; then
  echo "device_pack.sh: $build is a CPU-only build (configure with CUDA, or --allow-cpu for a rehearsal)" >&2
  exit 2
fi
asset=../shared/data/ict-facekit
[ -f "$asset/ict_face_model.safetensors" ] || { echo "device_pack.sh: $asset/ict_face_model.safetensors is missing" >&2; exit 2; }

stage="$dev/stage"
rm -rf "$stage" "$dev/bin" "$dev/lib" "$dev/shared" "$dev/pack.tar.xz"
mkdir -p "$stage/bin" "$stage/lib" "$stage/shared/data/ict-facekit"
for b in "$build/nfs_infer" "$build/nfs_train" "$build/nfs_bench" "$tests"; do
  strip --strip-unneeded -o "$stage/bin/$(basename "$b")" "$b"
done
# Libraries beyond glibc and the CUDA runtime (which the device machine has). libstdc++ and
# libgcc_s travel too: the device's may be older than the compiler's here.
for b in "$stage"/bin/*; do
  ldd "$b" | awk '$3 ~ /^\// {print $3}'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libdl.so*|librt.so*|libpthread.so*|ld-linux*|libcuda.so*|libcudart.so*|libcublas*.so*|libcusparse.so*|libnvJitLink.so*) ;;
    *) cp -L "$lib" "$stage/lib/" ;;
  esac
done
cp "$asset/ict_face_model.safetensors" "$asset/LICENSE" "$stage/shared/data/ict-facekit/"
unpacked=$(du -cb "$stage" | tail -1 | cut -f1)
tar -C "$stage" -cf - bin lib shared | xz -T0 -6 > "$dev/pack.tar.xz"
rm -rf "$stage"

bytes() { du -cb "$@" 2>/dev/null | tail -1 | cut -f1; }
tree=$( (git ls-files -z; git ls-files -z --others --exclude-standard) | xargs -0 -r du -cb 2>/dev/null | awk '$2 != "total" {s += $1} END {print s + 0}')
pack=$(bytes "$dev")
limit=$((limit_mib * 1024 * 1024))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo "device_pack.sh: working tree $(mib "$tree"), $dev $(mib "$pack") (pack.tar.xz $(mib "$(bytes "$dev/pack.tar.xz")") of $(mib "$unpacked") unpacked, carried state $(mib "$(bytes "$dev/train")")); together $(mib $((tree + pack))) of $limit_mib MiB"
if [ $((tree + pack)) -gt "$limit" ]; then
  echo "device_pack.sh: over the limit by $(mib $((tree + pack - limit)))" >&2
  exit 1
fi
echo "device_pack.sh: room to spare: $(mib $((limit - tree - pack)))"
