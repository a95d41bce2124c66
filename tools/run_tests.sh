#!/usr/bin/env bash
# Installs the dependencies, builds everything (CUDA code too when nvcc is present) and runs the
# whole test suite. GPU cases are skipped, and listed by name, on a machine without a CUDA device.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)"
