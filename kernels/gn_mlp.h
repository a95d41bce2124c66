// The decoder's GroupNorm-MLP (SPEC §2), fused: every hidden layer is
//   y = relu(GN(x)) Wᵀ (+ bias),  GN with statistics per mesh b and channel group over all V
// vertices. The fused forward never writes the normalized activations: a layer's GEMM applies
// the previous layer's normalize + ReLU while loading its input (prologue) and accumulates the
// group sums of its own output while storing it (epilogue), so each activation makes one trip
// to memory. Pieces (x: [B, V, C] row-major; G groups of C/G channels):
//   group_stats          mean_rstd[b, g] = (mean, 1/sqrt(var + eps)) of x, computed directly
//   stats_finalize       the same from accumulated (Σy, Σy²) sums
//   gn_affine            per (b, c): scale = γ_c · rstd, shift = β_c - mean · γ_c · rstd,
//                        so GN(x) = x · scale + shift
//   norm_relu_linear     y[b] = relu(x[b] · scale[b] + shift[b]) Wᵀ + bias, W [N, K]; when
//                        y_sums is given it accumulates (Σ y, Σ y²) per (b, output group)
//   norm_relu_apply      act = relu(x · scale + shift) (recomputed for backward)
//   gn_relu_backward     dx from d_act through ReLU and GroupNorm (overwrites dx); dγ, dβ
//                        accumulate (parameter gradients)
// Counts: statistics use V · C/G elements per (b, g); variance is the biased one (PyTorch).
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
struct GnDims {
  int64_t batch, vertices, channels;
  int groups;
};
}  // namespace nfs

namespace nfs::cpu {
void group_stats(float* mean_rstd, const float* x, const GnDims& d, float eps);
void stats_finalize(float* mean_rstd, const double* sums, const GnDims& d, float eps);
void gn_affine(float* scale, float* shift, const float* mean_rstd, const float* gamma,
               const float* beta, const GnDims& d);
// x dims `in` (channels = K), output N channels in `out_groups` groups.
void norm_relu_linear_forward(float* y, double* y_sums, const float* x, const float* scale,
                              const float* shift, const float* weight, const float* bias,
                              const GnDims& in, int64_t out_channels, int out_groups);
void norm_relu_apply(float* act, const float* x, const float* scale, const float* shift,
                     const GnDims& d);
void gn_relu_backward(float* dx, float* dgamma, float* dbeta, const float* d_act, const float* x,
                      const float* mean_rstd, const float* gamma, const float* beta,
                      const GnDims& d);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void group_stats(float* mean_rstd, double* sums_scratch, const float* x, const GnDims& d,
                 float eps, cudaStream_t stream);
void stats_finalize(float* mean_rstd, const double* sums, const GnDims& d, float eps,
                    cudaStream_t stream);
void gn_affine(float* scale, float* shift, const float* mean_rstd, const float* gamma,
               const float* beta, const GnDims& d, cudaStream_t stream);
void norm_relu_linear_forward(float* y, double* y_sums, const float* x, const float* scale,
                              const float* shift, const float* weight, const float* bias,
                              const GnDims& in, int64_t out_channels, int out_groups,
                              cudaStream_t stream);
void norm_relu_apply(float* act, const float* x, const float* scale, const float* shift,
                     const GnDims& d, cudaStream_t stream);
// `sums_scratch` holds 2·B·G doubles.
void gn_relu_backward(float* dx, float* dgamma, float* dbeta, double* sums_scratch,
                      const float* d_act, const float* x, const float* mean_rstd,
                      const float* gamma, const float* beta, const GnDims& d,
                      cudaStream_t stream);
}  // namespace nfs::cuda
#endif
