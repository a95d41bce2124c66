// The weights of per-segment means: w[b, v, l] = m[v] s[b, v, l] / Σ_u m[u] s[b, u, l], so that
// Σ_v w[b, v, l] h[b, v, :] is the mass-weighted mean of h over soft segment l (the expression
// encoder's segment pooling, with s the source's detached z_Skin). A column that sums to 0 gets
// weights 0. A constant of the graph (no gradient). s and w are [batch, verts, segments]
// row-major, mass [verts]. CPU sums in double; CUDA in double per block, one block per column.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs::cpu {
void segment_weights(float* w, const float* s, const float* mass, int64_t batch, int64_t verts,
                     int64_t segments);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void segment_weights(float* w, const float* s, const float* mass, int64_t batch, int64_t verts,
                     int64_t segments, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
