// Losses that are means over n elements of an elementwise term; the result is one float.
//   mse:     (p - t)²
//   bce:     -(t·max(log p, -100) + (1 - t)·max(log(1 - p), -100))   (PyTorch's clamp keeps
//            p = 0 and p = 1 finite; p outside [0, 1] gives NaN)
//   hinge01: -z for z < 0, z - 1 for z > 1, 0 in between (paper eq. 5)
//
// *_forward: writes out[0] (overwrites).
// *_backward: dout points to the one-element gradient of the loss (device memory on CUDA, read
//   by the kernel: no host sync); input gradients OVERWRITE and may be null to skip them.
//   mse:     dp = 2(p - t)/n·dout,  dt = -dp
//   bce:     dp = (p - t) / max(p(1 - p), 1e-12)/n·dout (PyTorch's formula),
//            dt = (max(log(1 - p), -100) - max(log p, -100))/n·dout
//   hinge01: dz = (-1 for z < 0, 1 for z > 1, else 0)/n·dout
// The CUDA forwards reduce in two passes through a scratch buffer of kLossPartials floats,
// passed before the stream (deterministic: no atomics).
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
constexpr int64_t kLossPartials = 1024;
}

namespace nfs::cpu {
void mse_forward(float* out, const float* p, const float* t, int64_t n);
void mse_backward(float* dp, float* dt, const float* dout, const float* p, const float* t,
                  int64_t n);
void bce_forward(float* out, const float* p, const float* t, int64_t n);
void bce_backward(float* dp, float* dt, const float* dout, const float* p, const float* t,
                  int64_t n);
void hinge01_forward(float* out, const float* z, int64_t n);
void hinge01_backward(float* dz, const float* dout, const float* z, int64_t n);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void mse_forward(float* out, const float* p, const float* t, int64_t n, float* workspace,
                 cudaStream_t stream);
void mse_backward(float* dp, float* dt, const float* dout, const float* p, const float* t,
                  int64_t n, cudaStream_t stream);
void bce_forward(float* out, const float* p, const float* t, int64_t n, float* workspace,
                 cudaStream_t stream);
void bce_backward(float* dp, float* dt, const float* dout, const float* p, const float* t,
                  int64_t n, cudaStream_t stream);
void hinge01_forward(float* out, const float* z, int64_t n, float* workspace, cudaStream_t stream);
void hinge01_backward(float* dz, const float* dout, const float* z, int64_t n, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
