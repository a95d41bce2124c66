#include <cmath>

#include "kernels/adam.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"

namespace nfs::cuda {

static __global__ void adam_kernel(float* param, float* m, float* v, const float* grad, int64_t n,
                                   AdamHyper h, float bc1, float bc2) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float g = grad[i];
    const float mi = h.beta1 * m[i] + (1.0f - h.beta1) * g;
    const float vi = h.beta2 * v[i] + (1.0f - h.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= h.lr * (mi / bc1) / (sqrtf(vi / bc2) + h.eps);
  }
}

void adam_step(float* param, float* m, float* v, const float* grad, int64_t n, const AdamHyper& h,
               int64_t step, cudaStream_t stream) {
  if (n == 0) return;
  const float bc1 = static_cast<float>(1.0 - std::pow(double(h.beta1), double(step)));
  const float bc2 = static_cast<float>(1.0 - std::pow(double(h.beta2), double(step)));
  adam_kernel<<<grid_for(n), kBlock, 0, stream>>>(param, m, v, grad, n, h, bc1, bc2);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
