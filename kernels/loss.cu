#include <algorithm>

#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/loss.h"

namespace nfs::cuda {

namespace {

__device__ float clamped_log(float x) {
  return fmaxf(logf(x), -100.0f);
}
__device__ float clamped_log1m(float p) {
  return fmaxf(log1pf(-p), -100.0f);
}  // log(1 - p)

struct MseTerm {
  const float* p;
  const float* t;
  __device__ float operator()(int64_t i) const {
    const float d = p[i] - t[i];
    return d * d;
  }
};
struct BceTerm {
  const float* p;
  const float* t;
  __device__ float operator()(int64_t i) const {
    return -(t[i] * clamped_log(p[i]) + (1.0f - t[i]) * clamped_log1m(p[i]));
  }
};
struct Hinge01Term {
  const float* z;
  __device__ float operator()(int64_t i) const {
    const float v = z[i];
    return v < 0.0f ? -v : (v > 1.0f ? v - 1.0f : 0.0f);
  }
};

// Sum over a block of kBlock threads; the total is valid in thread 0.
__device__ double block_sum(double a) {
  __shared__ double part[kBlock / 32];
  for (int off = 16; off > 0; off >>= 1) a += __shfl_down_sync(0xffffffffu, a, off);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) part[warp] = a;
  __syncthreads();
  if (warp == 0) {
    a = lane < kBlock / 32 ? part[lane] : 0.0;
    for (int off = 16; off > 0; off >>= 1) a += __shfl_down_sync(0xffffffffu, a, off);
  }
  return a;
}

// Pass 1: each block sums its grid-stride share of the terms; pass 2: one block adds the
// partials and divides by n.
template <class Term>
__global__ void mean_partial_kernel(float* partial, Term term, int64_t n) {
  double acc = 0.0;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    acc += term(i);
  acc = block_sum(acc);
  if (threadIdx.x == 0) partial[blockIdx.x] = (float)acc;
}

__global__ void mean_finish_kernel(float* out, const float* partial, int count, int64_t n) {
  double acc = 0.0;
  for (int i = threadIdx.x; i < count; i += blockDim.x) acc += partial[i];
  acc = block_sum(acc);
  if (threadIdx.x == 0) out[0] = (float)(acc / (double)n);
}

template <class Term>
void mean_of(float* out, Term term, int64_t n, float* workspace, cudaStream_t stream) {
  const int blocks =
      (int)std::min<int64_t>(kLossPartials, std::max<int64_t>(1, (n + kBlock - 1) / kBlock));
  mean_partial_kernel<<<blocks, kBlock, 0, stream>>>(workspace, term, n);
  CUDA_CHECK_LAUNCH();
  mean_finish_kernel<<<1, kBlock, 0, stream>>>(out, workspace, blocks, n);
  CUDA_CHECK_LAUNCH();
}

__global__ void mse_backward_kernel(float* dp, float* dt, const float* dout, const float* p,
                                    const float* t, int64_t n) {
  const float k = 2.0f * dout[0] / (float)n;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float g = k * (p[i] - t[i]);
    if (dp) dp[i] = g;
    if (dt) dt[i] = -g;
  }
}

__global__ void bce_backward_kernel(float* dp, float* dt, const float* dout, const float* p,
                                    const float* t, int64_t n) {
  const float k = dout[0] / (float)n;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float pi = p[i];
    if (dp) dp[i] = k * (pi - t[i]) / fmaxf(pi * (1.0f - pi), 1e-12f);
    if (dt) dt[i] = k * (clamped_log1m(pi) - clamped_log(pi));
  }
}

__global__ void hinge01_backward_kernel(float* dz, const float* dout, const float* z, int64_t n) {
  const float k = dout[0] / (float)n;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    dz[i] = z[i] < 0.0f ? -k : (z[i] > 1.0f ? k : 0.0f);
}

}  // namespace

void mse_forward(float* out, const float* p, const float* t, int64_t n, float* workspace,
                 cudaStream_t stream) {
  mean_of(out, MseTerm{p, t}, n, workspace, stream);
}

void mse_backward(float* dp, float* dt, const float* dout, const float* p, const float* t,
                  int64_t n, cudaStream_t stream) {
  if (n == 0 || (!dp && !dt)) return;
  mse_backward_kernel<<<grid_for(n), kBlock, 0, stream>>>(dp, dt, dout, p, t, n);
  CUDA_CHECK_LAUNCH();
}

void bce_forward(float* out, const float* p, const float* t, int64_t n, float* workspace,
                 cudaStream_t stream) {
  mean_of(out, BceTerm{p, t}, n, workspace, stream);
}

void bce_backward(float* dp, float* dt, const float* dout, const float* p, const float* t,
                  int64_t n, cudaStream_t stream) {
  if (n == 0 || (!dp && !dt)) return;
  bce_backward_kernel<<<grid_for(n), kBlock, 0, stream>>>(dp, dt, dout, p, t, n);
  CUDA_CHECK_LAUNCH();
}

void hinge01_forward(float* out, const float* z, int64_t n, float* workspace, cudaStream_t stream) {
  mean_of(out, Hinge01Term{z}, n, workspace, stream);
}

void hinge01_backward(float* dz, const float* dout, const float* z, int64_t n,
                      cudaStream_t stream) {
  if (n == 0 || !dz) return;
  hinge01_backward_kernel<<<grid_for(n), kBlock, 0, stream>>>(dz, dout, z, n);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
