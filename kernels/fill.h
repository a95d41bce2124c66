// Basic memory ops used by Tensor and autograd: fill with a value, y += alpha * x, x = max(x, lo).
// Each updates only the n elements given, in place.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs::cpu {
void fill(float* out, float value, int64_t n);
void axpy(float* y, float alpha, const float* x, int64_t n);
void clamp_min(float* x, float lo, int64_t n);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void fill(float* out, float value, int64_t n, cudaStream_t stream);
void axpy(float* y, float alpha, const float* x, int64_t n, cudaStream_t stream);
void clamp_min(float* x, float lo, int64_t n, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
