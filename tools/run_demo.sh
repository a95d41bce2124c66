#!/usr/bin/env bash
# The main job: installs the dependencies, builds, and retargets the bundled expression sequence
# (data/demo/sequence, an ICT identity on a 2k-vertex re-mesh) onto the bundled target
# (data/demo/target.obj: another identity, 3k-vertex re-mesh, metres, turned 15°) with the
# bundled model (models/nfs_default.safetensors). Results in out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
mkdir -p out/demo
./build/nfs_infer devices
./build/nfs_infer retarget --source data/demo/sequence/*.obj --target data/demo/target.obj \
  -o out/demo/frames --strip out/demo/strip.png --preview out/demo/alignment.png
./build/nfs_infer retarget --source data/demo/sequence/*.obj --target data/demo/target.obj -o out/demo/retarget.glb
./build/nfs_infer animate --weights data/demo/take.csv --target data/demo/target.obj -o out/demo/animate.glb \
  --sheet out/demo/animate.png
./build/nfs_infer rig --target data/demo/target.obj -o out/demo/rig.glb --sheet out/demo/rig.png
./build/nfs_infer encode --source data/demo/sequence/*.obj -o out/demo/weights.csv --naming arkit \
  --plot out/demo/weights.png
echo
echo "out/demo: frames/*.obj (retargeted meshes), retarget.glb (the sequence as an animation),"
echo "          animate.glb (the target driven by data/demo/take.csv), rig.glb (53 blendshapes),"
echo "          weights.csv (the sequence's FACS weights); pictures: strip.png (source | result),"
echo "          animate.png, rig.png (the 53 shapes, coloured by motion), weights.png, alignment.png"
