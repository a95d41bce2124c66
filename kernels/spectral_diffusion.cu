#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/matmul.h"
#include "kernels/spectral_diffusion.h"

namespace nfs::cuda {

// scaled[b,k,c] = exp(-λ_k t_c) · spectral[b,k,c]
static __global__ void scale_kernel(float* scaled, const float* spectral, const float* evals,
                                    const float* t, int64_t n, int64_t K, int64_t C) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t c = i % C, k = (i / C) % K;
    scaled[i] = expf(-evals[k] * t[c]) * spectral[i];
  }
}

// One thread per channel c (threadIdx.x) and a slice of the (b, k) rows (threadIdx.y): the
// time gradient, and d_scaled turned into d_spectral in place.
static __global__ void scale_backward_kernel(float* dt, float* d_scaled, const float* spectral,
                                             const float* evals, const float* t, int64_t rows,
                                             int64_t K, int64_t C) {
  __shared__ float partial[8][33];
  const int64_t c = blockIdx.x * 32 + threadIdx.x;
  float acc = 0.0f;
  if (c < C) {
    const float tc = t[c];
    for (int64_t r = threadIdx.y; r < rows; r += blockDim.y) {
      const int64_t k = r % K;
      const int64_t i = r * C + c;
      const float coef = expf(-evals[k] * tc);
      acc += d_scaled[i] * spectral[i] * coef * -evals[k];
      d_scaled[i] *= coef;
    }
  }
  partial[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && c < C) {
    float s = 0.0f;
    for (int i = 0; i < 8; ++i) s += partial[i][threadIdx.x];
    dt[c] += s;
  }
}

void spectral_diffusion_forward(float* out, float* spectral, float* scratch, const float* x,
                                const float* evecs, const float* mass_evecs, const float* evals,
                                const float* t, const SpectralDims& d, cudaStream_t stream) {
  const int64_t n = d.batch * d.eigenpairs * d.channels;
  gemm(spectral, mass_evecs, x, spectral_basis_gemm(d, true), 1.0f, 0.0f, stream);
  if (n > 0) {
    scale_kernel<<<grid_for(n), kBlock, 0, stream>>>(scratch, spectral, evals, t, n, d.eigenpairs,
                                                     d.channels);
    CUDA_CHECK_LAUNCH();
  }
  gemm(out, evecs, scratch, spectral_basis_gemm(d, false), 1.0f, 0.0f, stream);
}

void spectral_diffusion_backward(float* dx, float* dt, float* scratch, const float* d_out,
                                 const float* spectral, const float* evecs,
                                 const float* mass_evecs, const float* evals, const float* t,
                                 const SpectralDims& d, cudaStream_t stream) {
  gemm(scratch, evecs, d_out, spectral_basis_gemm(d, true), 1.0f, 0.0f, stream);
  if (d.channels > 0) {
    dim3 block(32, 8), grid(static_cast<unsigned>((d.channels + 31) / 32));
    scale_backward_kernel<<<grid, block, 0, stream>>>(dt, scratch, spectral, evals, t,
                                                      d.batch * d.eigenpairs, d.eigenpairs,
                                                      d.channels);
    CUDA_CHECK_LAUNCH();
  }
  gemm(dx, mass_evecs, scratch, spectral_basis_gemm(d, false), 1.0f, 0.0f, stream);
}

}  // namespace nfs::cuda
