#!/usr/bin/env bash
# The picture of docs/USAGE.md's Blender section, rendered by Blender itself (Cycles, CPU): the
# demo target rigged by the add-on, neutral and with a few shape keys at 1.0.
# Usage: tools/blender_picture.sh [OUT.png] (default docs/images/blender_addon.png); needs the
# nfs module built in build/python (NFS_PYTHON_DIR overrides) and blender on PATH.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(realpath -m "${1:-$root/docs/images/blender_addon.png}")
module_dir=$(realpath "${NFS_PYTHON_DIR:-$root/build/python}")
ls "$module_dir"/nfs*.so >/dev/null 2>&1 || { echo "blender_picture.sh: no nfs module in $module_dir (build the project first)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
zip=$(bash "$root/tools/make_blender_addon.sh" "$tmp/nfs_blender.zip")
export BLENDER_USER_SCRIPTS=$tmp/scripts BLENDER_USER_CONFIG=$tmp/config NFS_CACHE_DIR=$tmp/cache PYTHONDONTWRITEBYTECODE=1
blender -b --factory-startup --python-exit-code 1 --python "$root/tools/blender_picture.py" -- \
    --zip "$zip" --module-dir "$module_dir" --target "$root/data/demo/target.obj" --out "$tmp/picture.png"
mv "$tmp/picture.png" "$out"
echo "$out"
