// Fused spectral diffusion, DiffusionNet's step 1 (SPEC §2), over a batch of B feature sets that
// share one mesh's eigenbasis:
//   spectral = (M Φ)ᵀ x              [B, K, C]   (saved for backward)
//   out      = Φ (coef ⊙ spectral)   [B, V, C],  coef[k, c] = exp(-λ_k · t_c)
// with Φ = evecs [V, K], M Φ = mass_evecs [V, K] (the mass folded into the basis once per mesh),
// λ = evals [K], t [C] (already clamped by the caller). Two GEMMs and one elementwise pass; the
// batch is one strided-batched GEMM with the basis shared (stride 0).
// Backward (gradient d_out):
//   d_scaled = Φᵀ d_out;  dt[c] += Σ_{b,k} d_scaled · spectral · coef · (-λ_k);
//   dx = (M Φ) (coef ⊙ d_scaled).
// dx is overwritten; dt accumulates (a parameter gradient). `scratch` holds B·K·C floats.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

#include "kernels/matmul.h"

namespace nfs {
struct SpectralDims {
  int64_t batch, vertices, eigenpairs, channels;
};
// The GEMM "basis op (batched [B, rows, C] operand)": C[b] = op(Basis) · X[b], the basis shared
// across the batch (stride 0), transposed for the projection onto it.
inline GemmShape spectral_basis_gemm(const SpectralDims& d, bool transpose_basis) {
  const int64_t m = transpose_basis ? d.eigenpairs : d.vertices;
  const int64_t k = transpose_basis ? d.vertices : d.eigenpairs;
  return GemmShape{d.batch, m, d.channels, k, transpose_basis, false, 0, k * d.channels, m * d.channels};
}
}  // namespace nfs

namespace nfs::cpu {
void spectral_diffusion_forward(float* out, float* spectral, float* scratch, const float* x,
                                const float* evecs, const float* mass_evecs, const float* evals,
                                const float* t, const SpectralDims& d);
void spectral_diffusion_backward(float* dx, float* dt, float* scratch, const float* d_out,
                                 const float* spectral, const float* evecs,
                                 const float* mass_evecs, const float* evals, const float* t,
                                 const SpectralDims& d);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void spectral_diffusion_forward(float* out, float* spectral, float* scratch, const float* x,
                                const float* evecs, const float* mass_evecs, const float* evals,
                                const float* t, const SpectralDims& d, cudaStream_t stream);
void spectral_diffusion_backward(float* dx, float* dt, float* scratch, const float* d_out,
                                 const float* spectral, const float* evecs,
                                 const float* mass_evecs, const float* evals, const float* t,
                                 const SpectralDims& d, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
