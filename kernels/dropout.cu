#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/dropout.h"

namespace nfs::cuda {

// Forward and backward apply the same mask and scale; only the meaning of in/out differs.
static __global__ void dropout_kernel(float* out, const float* in, int64_t n, uint64_t seed,
                                      uint32_t threshold, float scale) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    out[i] = dropout_keep(seed, static_cast<uint64_t>(i), threshold) ? in[i] * scale : 0.0f;
}

static void launch(float* out, const float* in, int64_t n, uint64_t seed, float p,
                   cudaStream_t stream) {
  if (n == 0) return;
  dropout_kernel<<<grid_for(n), kBlock, 0, stream>>>(out, in, n, seed, dropout_threshold(p),
                                                     dropout_scale(p));
  CUDA_CHECK_LAUNCH();
}

void dropout_forward(float* y, const float* x, int64_t n, uint64_t seed, float p,
                     cudaStream_t stream) {
  launch(y, x, n, seed, p, stream);
}

void dropout_backward(float* dx, const float* dy, int64_t n, uint64_t seed, float p,
                      cudaStream_t stream) {
  launch(dx, dy, n, seed, p, stream);
}

}  // namespace nfs::cuda
