#!/usr/bin/env bash
# Packs blender/nfs_blender/ into a zip that Blender installs as an add-on (Edit > Preferences >
# Add-ons > Install). Usage: tools/make_blender_addon.sh [OUT.zip] (default build/nfs_blender.zip)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ $# -gt 1 ]]; then
    echo "usage: $0 [OUT.zip]" >&2
    exit 2
fi
out=${1:-$root/build/nfs_blender.zip}
if [[ $out != *.zip ]]; then
    echo "make_blender_addon.sh: the output must be a .zip file, not '$out'" >&2
    exit 2
fi
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
# python3's zipfile: zip(1) is not always installed. Written beside, then moved: never half a zip.
python3 - "$root/blender" "$out.part" <<'PY'
import pathlib, sys, zipfile
src, out = pathlib.Path(sys.argv[1]), sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
    for path in sorted((src / "nfs_blender").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            archive.write(path, path.relative_to(src).as_posix())
PY
mv "$out.part" "$out"
echo "$out"
