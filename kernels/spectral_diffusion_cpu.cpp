#include <cmath>
#include <vector>

#include "kernels/matmul.h"
#include "kernels/spectral_diffusion.h"

namespace nfs::cpu {

void spectral_diffusion_forward(float* out, float* spectral, float* scratch, const float* x,
                                const float* evecs, const float* mass_evecs, const float* evals,
                                const float* t, const SpectralDims& d) {
  const int64_t K = d.eigenpairs, C = d.channels;
  gemm(spectral, mass_evecs, x, spectral_basis_gemm(d, true), 1.0f, 0.0f);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < C; ++c) {
        const int64_t i = (b * K + k) * C + c;
        scratch[i] = std::exp(-evals[k] * t[c]) * spectral[i];
      }
  gemm(out, evecs, scratch, spectral_basis_gemm(d, false), 1.0f, 0.0f);
}

void spectral_diffusion_backward(float* dx, float* dt, float* scratch, const float* d_out,
                                 const float* spectral, const float* evecs,
                                 const float* mass_evecs, const float* evals, const float* t,
                                 const SpectralDims& d) {
  const int64_t K = d.eigenpairs, C = d.channels;
  gemm(scratch, evecs, d_out, spectral_basis_gemm(d, true), 1.0f, 0.0f);  // d_scaled
  std::vector<double> dt_acc(C, 0.0);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < C; ++c) {
        const int64_t i = (b * K + k) * C + c;
        const float coef = std::exp(-evals[k] * t[c]);
        dt_acc[c] += double(scratch[i]) * spectral[i] * coef * -evals[k];
        scratch[i] *= coef;  // now d_spectral
      }
  for (int64_t c = 0; c < C; ++c) dt[c] += static_cast<float>(dt_acc[c]);
  gemm(dx, mass_evecs, scratch, spectral_basis_gemm(d, false), 1.0f, 0.0f);
}

}  // namespace nfs::cpu
