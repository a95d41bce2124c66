// 2-D convolution (cross-correlation, as in PyTorch) with zero padding, NCHW:
// y[b, co, oh, ow] = bias[co] + Σ_{ci, i, j} w[co, ci, i, j] · x[b, ci, oh·s - p + i, ow·s - p +
// j], x [B, Ci, H, W], w [Co, Ci, kh, kw], bias [Co] (null for none), y [B, Co, Ho, Wo].
//
// conv2d_forward: writes y (overwrites).
// conv2d_backward: from dy: dx OVERWRITES; dweight and dbias ACCUMULATE (parameter gradients).
//   Any of dx, dweight, dbias may be null to skip it.
// The CUDA versions are im2col + cuBLAS GEMM; they need a scratch buffer of
// workspace_batch · conv2d_col_floats(shape) floats (workspace_batch >= 1 batch entries are
// unfolded at a time), passed before the stream.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
struct Conv2dShape {
  int64_t batch = 1, in_channels = 0, height = 0, width = 0;
  int64_t out_channels = 0, kernel_h = 0, kernel_w = 0, stride = 1, padding = 0;
  int64_t out_h = 0, out_w = 0;  // (H + 2p - kh) / s + 1, (W + 2p - kw) / s + 1
};
// Floats of one batch entry's unfolded input: [Ci·kh·kw, Ho·Wo].
inline int64_t conv2d_col_floats(const Conv2dShape& s) {
  return s.in_channels * s.kernel_h * s.kernel_w * s.out_h * s.out_w;
}
}  // namespace nfs

namespace nfs::cpu {
void conv2d_forward(float* y, const float* x, const float* weight, const float* bias,
                    const Conv2dShape& s);
void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                     const float* weight, const Conv2dShape& s);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void conv2d_forward(float* y, const float* x, const float* weight, const float* bias,
                    const Conv2dShape& s, float* workspace, int64_t workspace_batch,
                    cudaStream_t stream);
void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                     const float* weight, const Conv2dShape& s, float* workspace,
                     int64_t workspace_batch, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
