#include "kernels/activation.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"

namespace nfs::cuda {

// f is uniform across the grid, so the switch does not diverge.
static __global__ void activation_forward_kernel(float* y, const float* x, int64_t n, Activation f,
                                                 float param) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float v = x[i];
    float r = 0.0f;
    switch (f) {
      case Activation::kScale:
        r = param * v;
        break;
      case Activation::kRelu:
        r = v > 0.0f ? v : 0.0f;
        break;
      case Activation::kLeakyRelu:
        r = v > 0.0f ? v : param * v;
        break;
      case Activation::kTanh:
        r = tanhf(v);
        break;
      case Activation::kSigmoid:
        r = 1.0f / (1.0f + expf(-v));
        break;
      case Activation::kExp:
        r = expf(v);
        break;
    }
    y[i] = r;
  }
}

static __global__ void activation_backward_kernel(float* dx, const float* x, const float* y,
                                                  const float* dy, int64_t n, Activation f,
                                                  float param) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float g = dy[i];
    float r = 0.0f;
    switch (f) {
      case Activation::kScale:
        r = param * g;
        break;
      case Activation::kRelu:
        r = x[i] > 0.0f ? g : 0.0f;
        break;
      case Activation::kLeakyRelu:
        r = x[i] > 0.0f ? g : param * g;
        break;
      case Activation::kTanh:
        r = g * (1.0f - y[i] * y[i]);
        break;
      case Activation::kSigmoid:
        r = g * y[i] * (1.0f - y[i]);
        break;
      case Activation::kExp:
        r = g * y[i];
        break;
    }
    dx[i] = r;
  }
}

void activation_forward(float* y, const float* x, int64_t n, Activation f, float param,
                        cudaStream_t stream) {
  if (n == 0) return;
  activation_forward_kernel<<<grid_for(n), kBlock, 0, stream>>>(y, x, n, f, param);
  CUDA_CHECK_LAUNCH();
}

void activation_backward(float* dx, const float* x, const float* y, const float* dy, int64_t n,
                         Activation f, float param, cudaStream_t stream) {
  if (n == 0) return;
  activation_backward_kernel<<<grid_for(n), kBlock, 0, stream>>>(dx, x, y, dy, n, f, param);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
