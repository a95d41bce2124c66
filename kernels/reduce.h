// Reductions: the sum of all elements, and the mass-weighted mean over the vertices of
// per-vertex features.
//
// sum_forward: out[0] = scale · Σ_i x[i] (overwrites; scale = 1 for sum, 1/n for mean).
// sum_backward: dx[i] = scale · dy[0] (overwrites dx).
// vertex_mean_forward: y[b, c] = Σ_v mass[v] · x[b, v, c] / mass_sum[0] (overwrites y), where
//   mass_sum holds Σ_v mass[v] on the same device (from sum_forward), so no host copy is needed.
// vertex_mean_backward: dx[b, v, c] = mass[v] / mass_sum[0] · dy[b, c] (overwrites dx).
// x is [batch, verts, channels] row-major; y and dy are [batch, channels].
// CPU accumulates in double. CUDA reduces in float by blocks and combines blocks with float
// atomics: results differ from the CPU by a few roundings and may change in the last bits from
// run to run.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs::cpu {
void sum_forward(float* out, const float* x, int64_t n, float scale);
void sum_backward(float* dx, const float* dy, int64_t n, float scale);
void vertex_mean_forward(float* y, const float* x, const float* mass, const float* mass_sum,
                         int64_t batch, int64_t verts, int64_t channels);
void vertex_mean_backward(float* dx, const float* mass, const float* mass_sum, const float* dy,
                          int64_t batch, int64_t verts, int64_t channels);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void sum_forward(float* out, const float* x, int64_t n, float scale, cudaStream_t stream);
void sum_backward(float* dx, const float* dy, int64_t n, float scale, cudaStream_t stream);
void vertex_mean_forward(float* y, const float* x, const float* mass, const float* mass_sum,
                         int64_t batch, int64_t verts, int64_t channels, cudaStream_t stream);
void vertex_mean_backward(float* dx, const float* mass, const float* mass_sum, const float* dy,
                          int64_t batch, int64_t verts, int64_t channels, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
