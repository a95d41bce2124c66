// Unary elementwise ops: the activations and scale, one kernel family selected by an enum.
// activation_forward: y[i] = f(x[i]) (overwrites y).
// activation_backward: dx[i] = dy[i] · f'(x[i]) (overwrites dx; an activation gradient). It reads
//   whichever of x (the input) and y (the saved output) the derivative is cheapest from:
//   relu and leaky_relu read x, tanh, sigmoid and exp read y, scale reads neither.
// param: the slope of leaky_relu for x < 0, the factor of scale; unused otherwise.
// CUDA uses the accurate tanhf / expf (no fast-math intrinsics): a few ulp from the CPU's std::.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
enum class Activation : int32_t { kScale = 0, kRelu, kLeakyRelu, kTanh, kSigmoid, kExp };
}

namespace nfs::cpu {
void activation_forward(float* y, const float* x, int64_t n, Activation f, float param);
void activation_backward(float* dx, const float* x, const float* y, const float* dy, int64_t n,
                         Activation f, float param);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void activation_forward(float* y, const float* x, int64_t n, Activation f, float param,
                        cudaStream_t stream);
void activation_backward(float* dx, const float* x, const float* y, const float* dy, int64_t n,
                         Activation f, float param, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
