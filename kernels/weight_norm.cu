#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/weight_norm.h"

namespace nfs::cuda {

namespace {

constexpr int kThreads = 256;

// Sum over a block of kThreads threads, returned to every thread.
__device__ float block_sum(float a) {
  __shared__ float part[kThreads / 32];
  __shared__ float total;
  for (int off = 16; off > 0; off >>= 1) a += __shfl_down_sync(0xffffffffu, a, off);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) part[warp] = a;
  __syncthreads();
  if (warp == 0) {
    a = lane < kThreads / 32 ? part[lane] : 0.0f;
    for (int off = 16; off > 0; off >>= 1) a += __shfl_down_sync(0xffffffffu, a, off);
    if (lane == 0) total = a;
  }
  __syncthreads();
  return total;
}

// One block per output channel: reduce the row, then write it.
__global__ void weight_norm_forward_kernel(float* w, float* norm, const float* v, const float* g,
                                           int64_t cols) {
  const int64_t o = blockIdx.x;
  const float* vo = v + o * cols;
  float sq = 0.0f;
  for (int64_t k = threadIdx.x; k < cols; k += blockDim.x) sq += vo[k] * vo[k];
  const float n = sqrtf(block_sum(sq));
  if (threadIdx.x == 0) norm[o] = n;
  const float scale = g[o] / n;
  for (int64_t k = threadIdx.x; k < cols; k += blockDim.x) w[o * cols + k] = scale * vo[k];
}

__global__ void weight_norm_backward_kernel(float* dv, float* dg, const float* dw,
                                            const float* norm, const float* v, const float* g,
                                            int64_t cols) {
  const int64_t o = blockIdx.x;
  const float* vo = v + o * cols;
  const float* dwo = dw + o * cols;
  float s = 0.0f;
  for (int64_t k = threadIdx.x; k < cols; k += blockDim.x) s += dwo[k] * vo[k];
  s = block_sum(s);
  const float n = norm[o];
  if (dg && threadIdx.x == 0) dg[o] += s / n;
  if (!dv) return;
  const float a = g[o] / n, b = s / (n * n);
  for (int64_t k = threadIdx.x; k < cols; k += blockDim.x)
    dv[o * cols + k] += a * (dwo[k] - b * vo[k]);
}

}  // namespace

void weight_norm_forward(float* w, float* norm, const float* v, const float* g, int64_t rows,
                         int64_t cols, cudaStream_t stream) {
  if (rows == 0) return;
  weight_norm_forward_kernel<<<(unsigned)rows, kThreads, 0, stream>>>(w, norm, v, g, cols);
  CUDA_CHECK_LAUNCH();
}

void weight_norm_backward(float* dv, float* dg, const float* dw, const float* norm, const float* v,
                          const float* g, int64_t rows, int64_t cols, cudaStream_t stream) {
  if (rows == 0 || (!dv && !dg)) return;
  weight_norm_backward_kernel<<<(unsigned)rows, kThreads, 0, stream>>>(dv, dg, dw, norm, v, g,
                                                                       cols);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
