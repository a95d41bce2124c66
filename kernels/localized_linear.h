// Hadamard localization fused into the decoder's first layer (SPEC §2, skinning block):
//   out[b, v, :] = T[b or 0, v, :] + W · (ω[b or 0, v, :] ⊙ z[b, :])
// T [Bt, V, H] is the cached contribution of the target-only inputs, ω [Bo, V, Cz] the target's
// skinning features, z [B, Cz] the expression codes, W [H, Cz] the first layer's z_LE columns.
// Bt and Bo are 1 (shared by the batch: a prepared target) or B. Because
// W (ω ⊙ z_b) = (W diag z_b) ω, each frame costs one small scaling of W and one GEMM over V:
// z_LE = ω ⊙ z [B, V, Cz] is never materialized.
// Backward (gradient g [B, V, H]): dT = g (summed over b when Bt = 1); dω = Σ g_b (W diag z_b);
// with P_b = g_bᵀ ω_b [H, Cz]: dW[o,j] += Σ_b P_b[o,j] z_b[j], dz[b,j] = Σ_o P_b[o,j] W[o,j].
// dT, dω, dz are overwritten; dW accumulates. Null gradient pointers are skipped.
// scratch_w holds B·H·Cz floats; scratch_p holds B·H·Cz floats (backward only).
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
struct LocalizedDims {
  int64_t batch, vertices, hidden, code;  // B, V, H, Cz
  bool target_shared, omega_shared;       // Bt == 1, Bo == 1
};
}  // namespace nfs

namespace nfs::cpu {
void localized_linear_forward(float* out, float* scratch_w, const float* target_term,
                              const float* omega, const float* z, const float* weight,
                              const LocalizedDims& d);
void localized_linear_backward(float* d_target, float* d_omega, float* d_z, float* d_weight,
                               float* scratch_w, float* scratch_p, const float* grad,
                               const float* omega, const float* z, const float* weight,
                               const LocalizedDims& d);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void localized_linear_forward(float* out, float* scratch_w, const float* target_term,
                              const float* omega, const float* z, const float* weight,
                              const LocalizedDims& d, cudaStream_t stream);
void localized_linear_backward(float* d_target, float* d_omega, float* d_z, float* d_weight,
                               float* scratch_w, float* scratch_p, const float* grad,
                               const float* omega, const float* z, const float* weight,
                               const LocalizedDims& d, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
