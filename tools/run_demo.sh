#!/usr/bin/env bash
# The main job. Until the inference issue lands it builds the engine and prints nfs_infer's help.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
./build/nfs_infer devices
./build/nfs_infer --help
