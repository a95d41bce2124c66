#!/usr/bin/env bash
# Installs every build and test dependency of the NFS engine from Debian packages.
# The CUDA toolkit (nvcc, cuBLAS, cuSPARSE, cuSOLVER) is expected to be installed already;
# without it the build falls back to CPU only.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
PKGS=(
  cmake make g++ pkg-config
  libeigen3-dev          # dense + sparse linear algebra (CPU matmul, geometry)
  libspectra-dev         # generalized eigensolver (Laplacian eigenbasis)
  libtinyobjloader-dev   # OBJ reading
  libstb-dev             # PNG writing (stb_image_write)
  libtinygltf-dev        # glTF / GLB in and out
  nlohmann-json3-dev     # safetensors headers, configs
  libmeshoptimizer-dev   # mesh simplification for re-meshing
  catch2                 # unit tests
  python3-dev pybind11-dev  # the nfs Python module (python/)
  python3-numpy python3-pytest  # its arrays and its tests
  blender                # the add-on's headless test (blender/, tests/blender/)
)
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "${p%% *}" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install_deps: all dependencies present"
