#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/localized_linear.h"
#include "kernels/matmul.h"

namespace nfs::cuda {

static __global__ void scale_weight_kernel(float* wz, const float* w, const float* z, int64_t B,
                                           int64_t H, int64_t C) {
  const int64_t n = B * H * C;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t j = i % C, b = i / (H * C);
    wz[i] = w[i % (H * C)] * z[b * C + j];
  }
}

// out[b] = T (shared): broadcast copy of one [V, H] block to every batch entry.
static __global__ void broadcast_kernel(float* out, const float* t, int64_t block, int64_t B) {
  const int64_t n = block * B;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    out[i] = t[i % block];
}

static __global__ void batch_sum_kernel(float* out, const float* g, int64_t block, int64_t B) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < block;
       i += (int64_t)gridDim.x * blockDim.x) {
    float s = 0.0f;
    for (int64_t b = 0; b < B; ++b) s += g[b * block + i];
    out[i] = s;
  }
}

// dz[b, j] = Σ_o P[b, o, j] W[o, j]: one thread per (b, j), a loop over H (H = 256).
static __global__ void dz_kernel(float* dz, const float* p, const float* w, int64_t B, int64_t H,
                                 int64_t C) {
  const int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (i >= B * C) return;
  const int64_t b = i / C, j = i % C;
  float s = 0.0f;
  for (int64_t o = 0; o < H; ++o) s += p[(b * H + o) * C + j] * w[o * C + j];
  dz[i] = s;
}

// dW[o, j] += Σ_b P[b, o, j] z[b, j]: one thread per (o, j).
static __global__ void dw_kernel(float* dw, const float* p, const float* z, int64_t B, int64_t H,
                                 int64_t C) {
  const int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (i >= H * C) return;
  const int64_t j = i % C;
  float s = 0.0f;
  for (int64_t b = 0; b < B; ++b) s += p[b * H * C + i] * z[b * C + j];
  dw[i] += s;
}

void localized_linear_forward(float* out, float* scratch_w, const float* target_term,
                              const float* omega, const float* z, const float* weight,
                              const LocalizedDims& d, cudaStream_t stream) {
  const int64_t VH = d.vertices * d.hidden;
  if (d.batch == 0 || VH == 0) return;
  if (d.target_shared) {
    broadcast_kernel<<<grid_for(VH * d.batch), kBlock, 0, stream>>>(out, target_term, VH, d.batch);
    CUDA_CHECK_LAUNCH();
  } else {
    CUDA_CHECK(cudaMemcpyAsync(out, target_term, sizeof(float) * VH * d.batch,
                               cudaMemcpyDeviceToDevice, stream));
  }
  scale_weight_kernel<<<grid_for(d.batch * d.hidden * d.code), kBlock, 0, stream>>>(
      scratch_w, weight, z, d.batch, d.hidden, d.code);
  CUDA_CHECK_LAUNCH();
  gemm(out, omega, scratch_w,
       GemmShape{d.batch, d.vertices, d.hidden, d.code, false, true,
                 d.omega_shared ? 0 : d.vertices * d.code, d.hidden * d.code, VH},
       1.0f, 1.0f, stream);
}

void localized_linear_backward(float* d_target, float* d_omega, float* d_z, float* d_weight,
                               float* scratch_w, float* scratch_p, const float* grad,
                               const float* omega, const float* z, const float* weight,
                               const LocalizedDims& d, cudaStream_t stream) {
  const int64_t VH = d.vertices * d.hidden, VC = d.vertices * d.code, HC = d.hidden * d.code;
  if (d.batch == 0) return;
  if (d_target) {
    if (!d.target_shared) {
      CUDA_CHECK(cudaMemcpyAsync(d_target, grad, sizeof(float) * VH * d.batch,
                                 cudaMemcpyDeviceToDevice, stream));
    } else {
      batch_sum_kernel<<<grid_for(VH), kBlock, 0, stream>>>(d_target, grad, VH, d.batch);
      CUDA_CHECK_LAUNCH();
    }
  }
  if (d_omega) {
    scale_weight_kernel<<<grid_for(d.batch * HC), kBlock, 0, stream>>>(scratch_w, weight, z,
                                                                       d.batch, d.hidden, d.code);
    CUDA_CHECK_LAUNCH();
    if (d.omega_shared) {
      for (int64_t b = 0; b < d.batch; ++b)
        gemm(d_omega, grad + b * VH, scratch_w + b * HC,
             GemmShape{1, d.vertices, d.code, d.hidden, false, false, 0, 0, 0}, 1.0f,
             b == 0 ? 0.0f : 1.0f, stream);
    } else {
      gemm(d_omega, grad, scratch_w,
           GemmShape{d.batch, d.vertices, d.code, d.hidden, false, false, VH, HC, VC}, 1.0f, 0.0f,
           stream);
    }
  }
  if (d_z || d_weight) {
    gemm(scratch_p, grad, omega,
         GemmShape{d.batch, d.hidden, d.code, d.vertices, true, false, VH, d.omega_shared ? 0 : VC, HC},
         1.0f, 0.0f, stream);
    if (d_z) {
      dz_kernel<<<grid_for(d.batch * d.code), kBlock, 0, stream>>>(d_z, scratch_p, weight, d.batch,
                                                                   d.hidden, d.code);
      CUDA_CHECK_LAUNCH();
    }
    if (d_weight) {
      dw_kernel<<<grid_for(HC), kBlock, 0, stream>>>(d_weight, scratch_p, z, d.batch, d.hidden,
                                                     d.code);
      CUDA_CHECK_LAUNCH();
    }
  }
}

}  // namespace nfs::cuda
