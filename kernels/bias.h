// Per-channel bias over rows of a [rows, C] matrix (the bias of a Linear layer).
// bias_add_forward: y[r, c] += bias[c] (updates y in place).
// bias_backward: dbias[c] += Σ_r dy[r, c] (accumulates: dbias is a parameter gradient).
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs::cpu {
void bias_add_forward(float* y, const float* bias, int64_t rows, int64_t channels);
void bias_backward(float* dbias, const float* dy, int64_t rows, int64_t channels);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void bias_add_forward(float* y, const float* bias, int64_t rows, int64_t channels,
                      cudaStream_t stream);
void bias_backward(float* dbias, const float* dy, int64_t rows, int64_t channels,
                   cudaStream_t stream);
}  // namespace nfs::cuda
#endif
