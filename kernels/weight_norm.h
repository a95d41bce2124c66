// Weight normalization per output channel: v is [O, K] (a weight with its first axis O
// flattened against the rest), g is [O]; w[o, :] = g[o] · v[o, :] / ‖v[o, :]‖.
// A zero row of v has no direction: its w is NaN, as in PyTorch.
//
// weight_norm_forward: writes w [O, K] and the row norms ‖v[o, :]‖ [O] saved for backward
//   (overwrites both).
// weight_norm_backward: from dw [O, K], with s = Σ_k dw·v and n = ‖v[o, :]‖:
//   dv += (g / n)·(dw - (s / n²)·v),  dg += s / n   (ACCUMULATE: v and g are parameters).
//   dv or dg may be null to skip it.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs::cpu {
void weight_norm_forward(float* w, float* norm, const float* v, const float* g, int64_t rows,
                         int64_t cols);
void weight_norm_backward(float* dv, float* dg, const float* dw, const float* norm, const float* v,
                          const float* g, int64_t rows, int64_t cols);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void weight_norm_forward(float* w, float* norm, const float* v, const float* g, int64_t rows,
                         int64_t cols, cudaStream_t stream);
void weight_norm_backward(float* dv, float* dg, const float* dw, const float* norm, const float* v,
                          const float* g, int64_t rows, int64_t cols, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
