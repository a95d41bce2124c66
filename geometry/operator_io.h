// A mesh's operators as files and as network tensors:
//  - the operator file (safetensors, canonical units): mass [V]; L as CSR (L_indptr, L_indices,
//    L_data); evals [K]; evecs [V, K]; gradX and gradY as CSR (gradX_indptr, ...); frames
//    [V, 3, 3] (rows X, Y, N). Values are float32, indices int32. Metadata: vertices, faces, k,
//    format version. Any tool can read it (docs/ARCHITECTURE.md);
//  - the on-disk cache: operators keyed by a content hash of (V, F, k), so a target or a training
//    identity is precomputed once (SPEC §3);
//  - conversion to SpectralOperators (nn/diffusion_net.h) on a device.
#pragma once
#include <cstdint>
#include <string>

#include "geometry/mesh_operators.h"
#include "nn/diffusion_net.h"

namespace nfs {

void write_operators(const std::string& path, const geo::MeshOperators& ops, int64_t num_faces);
// Throws "<path>: <problem>" on a malformed or inconsistent file, or one whose "checksum"
// metadata (FNV-1a over the tensors; written by write_operators, optional for other tools' files
// unless `require_checksum`) does not match.
geo::MeshOperators read_operators(const std::string& path, bool require_checksum = false);

SpectralOperators to_spectral(const geo::MeshOperators& ops, Device device);
// The CSR form of a sparse operator on a device (e.g. the Jacobian operator).
CsrMatrix to_csr(const Eigen::SparseMatrix<double>& A, Device device);

// 64-bit content hash of the positions, triangles and k (FNV-1a over their bytes).
uint64_t operator_key(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int k);
// $NFS_CACHE_DIR, else $XDG_CACHE_HOME/nfs, else $HOME/.cache/nfs (created on demand).
std::string operator_cache_dir();

// The operators of (V, F, k): read from the cache when there, computed and stored otherwise.
// `cache_hit` (optional) says which. An entry that is truncated, damaged (checksum) or without a
// checksum is reported on stderr, recomputed and replaced, never used. Entries are written
// atomically (geometry/atomic_write.h), so processes preparing the same mesh at once each end with
// a whole entry. A cache write failure only costs the next run the time.
geo::MeshOperators cached_mesh_operators(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int k,
                                         bool* cache_hit = nullptr);

}  // namespace nfs
