// One Adam step (Kingma & Ba, as torch.optim.Adam without weight decay / amsgrad):
//   m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²;
//   p -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + eps)
// Updates param, m and v in place over n elements; `step` is t >= 1.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
struct AdamHyper {
  float lr = 1e-4f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
};
}  // namespace nfs

namespace nfs::cpu {
void adam_step(float* param, float* m, float* v, const float* grad, int64_t n, const AdamHyper& h,
               int64_t step);
}

#if NFS_WITH_CUDA
namespace nfs::cuda {
void adam_step(float* param, float* m, float* v, const float* grad, int64_t n, const AdamHyper& h,
               int64_t step, cudaStream_t stream);
}
#endif
