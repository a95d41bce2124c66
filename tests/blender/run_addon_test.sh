#!/usr/bin/env bash
# The Blender add-on's headless test: packs the add-on with tools/make_blender_addon.sh, installs
# it into a Blender whose user folders are in a temporary directory, and runs test_addon.py.
# Usage: tests/blender/run_addon_test.sh MODULE_DIR SOURCE_DIR   (exits 77, a skip, without blender)
set -euo pipefail
if [[ $# -ne 2 ]]; then
    echo "usage: $0 MODULE_DIR SOURCE_DIR" >&2
    exit 2
fi
if ! command -v blender >/dev/null; then
    echo "run_addon_test.sh: blender is not on PATH; skipping"
    exit 77
fi
module_dir=$(realpath "$1") src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
zip=$(bash "$src/tools/make_blender_addon.sh" "$tmp/nfs_blender.zip")
export BLENDER_USER_SCRIPTS=$tmp/scripts BLENDER_USER_CONFIG=$tmp/config NFS_CACHE_DIR=$tmp/cache TMPDIR=$tmp PYTHONDONTWRITEBYTECODE=1
blender -b --factory-startup --python-exit-code 1 --python "$src/tests/blender/test_addon.py" -- \
    --zip "$zip" --module-dir "$module_dir" --target "$src/data/demo/target.obj" \
    --take "$src/data/demo/take.csv" --tmp "$tmp"
