#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/fill.h"

namespace nfs::cuda {

static __global__ void fill_kernel(float* out, float value, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    out[i] = value;
}

static __global__ void axpy_kernel(float* y, float alpha, const float* x, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    y[i] += alpha * x[i];
}

static __global__ void clamp_min_kernel(float* x, float lo, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    x[i] = fmaxf(x[i], lo);
}

void clamp_min(float* x, float lo, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  clamp_min_kernel<<<grid_for(n), kBlock, 0, stream>>>(x, lo, n);
  CUDA_CHECK_LAUNCH();
}

void fill(float* out, float value, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  fill_kernel<<<grid_for(n), kBlock, 0, stream>>>(out, value, n);
  CUDA_CHECK_LAUNCH();
}

void axpy(float* y, float alpha, const float* x, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  axpy_kernel<<<grid_for(n), kBlock, 0, stream>>>(y, alpha, x, n);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
