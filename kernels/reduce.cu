#include <algorithm>

#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/reduce.h"

namespace nfs::cuda {

namespace {

constexpr int64_t kMaxBlocks = 1024;  // enough to fill an H100 several times over
constexpr int64_t kMinPerThread = 8;  // fewer elements per thread would waste atomics

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// Sum over a block of kBlock threads: warp shuffles, then one warp over the warps' sums.
// The result is valid in thread 0.
__device__ float block_sum(float v) {
  __shared__ float warp_sums[kBlock / 32];
#pragma unroll
  for (int off = 16; off > 0; off /= 2) v += __shfl_down_sync(0xffffffffu, v, off);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < kBlock / 32 ? warp_sums[lane] : 0.0f;
#pragma unroll
    for (int off = 16; off > 0; off /= 2) v += __shfl_down_sync(0xffffffffu, v, off);
  }
  return v;
}

// Grid-stride partial sums, a block reduction, one atomicAdd per block into the zeroed out.
__global__ void sum_kernel(float* out, const float* x, int64_t n, float scale) {
  float acc = 0.0f;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    acc += x[i];
  acc = block_sum(acc);
  if (threadIdx.x == 0) atomicAdd(out, scale * acc);
}

__global__ void sum_backward_kernel(float* dx, const float* dy, int64_t n, float scale) {
  const float g = scale * dy[0];
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    dx[i] = g;
}

constexpr int kTile = 32;  // channels per block (threads x, coalesced)
constexpr int kRows = 8;   // vertices walked in parallel (threads y)

// Block (32 channels × 8 vertex lanes) of mesh blockIdx.y, over the vertex slice blockIdx.z.
// Slices are combined with atomicAdd when the grid splits the vertices (y zeroed first).
__global__ void vertex_mean_kernel(float* y, const float* x, const float* mass,
                                   const float* mass_sum, int64_t verts, int64_t channels,
                                   int64_t chunk) {
  __shared__ float partial[kRows][kTile + 1];
  const int64_t b = blockIdx.y;
  const int64_t c = blockIdx.x * (int64_t)kTile + threadIdx.x;
  const int64_t v0 = blockIdx.z * chunk;
  const int64_t v1 = v0 + chunk < verts ? v0 + chunk : verts;
  float acc = 0.0f;
  if (c < channels)
    for (int64_t v = v0 + threadIdx.y; v < v1; v += kRows)
      acc += mass[v] * x[(b * verts + v) * channels + c];
  partial[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && c < channels) {
    float s = 0.0f;
#pragma unroll
    for (int r = 0; r < kRows; ++r) s += partial[r][threadIdx.x];
    s /= mass_sum[0];
    if (gridDim.z > 1)
      atomicAdd(y + b * channels + c, s);
    else
      y[b * channels + c] = s;
  }
}

__global__ void vertex_mean_backward_kernel(float* dx, const float* mass, const float* mass_sum,
                                            const float* dy, int64_t n, int64_t verts,
                                            int64_t channels) {
  const float total = mass_sum[0];
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t row = i / channels, c = i - row * channels;  // row = b · verts + v
    const int64_t b = row / verts, v = row - b * verts;
    dx[i] = (mass[v] / total) * dy[b * channels + c];
  }
}

}  // namespace

void sum_forward(float* out, const float* x, int64_t n, float scale, cudaStream_t stream) {
  CUDA_CHECK(cudaMemsetAsync(out, 0, sizeof(float), stream));
  if (n == 0) return;
  const int64_t blocks = std::clamp<int64_t>(ceil_div(n, kBlock * kMinPerThread), 1, kMaxBlocks);
  sum_kernel<<<static_cast<unsigned>(blocks), kBlock, 0, stream>>>(out, x, n, scale);
  CUDA_CHECK_LAUNCH();
}

void sum_backward(float* dx, const float* dy, int64_t n, float scale, cudaStream_t stream) {
  if (n == 0) return;
  sum_backward_kernel<<<grid_for(n), kBlock, 0, stream>>>(dx, dy, n, scale);
  CUDA_CHECK_LAUNCH();
}

void vertex_mean_forward(float* y, const float* x, const float* mass, const float* mass_sum,
                         int64_t batch, int64_t verts, int64_t channels, cudaStream_t stream) {
  if (batch == 0 || channels == 0) return;
  const int64_t gx = ceil_div(channels, kTile);
  // Split the vertices so the grid has about kMaxBlocks blocks, each lane summing at least
  // kMinPerThread vertices.
  int64_t gz = std::max<int64_t>(1, ceil_div(kMaxBlocks, gx * batch));
  gz = std::min<int64_t>({gz, std::max<int64_t>(1, ceil_div(verts, kRows * kMinPerThread)), 65535});
  const int64_t chunk = std::max<int64_t>(1, ceil_div(verts, gz));
  gz = std::max<int64_t>(1, ceil_div(verts, chunk));
  if (gz > 1) CUDA_CHECK(cudaMemsetAsync(y, 0, batch * channels * sizeof(float), stream));
  const dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(batch),
                  static_cast<unsigned>(gz));
  vertex_mean_kernel<<<grid, dim3(kTile, kRows), 0, stream>>>(y, x, mass, mass_sum, verts, channels,
                                                              chunk);
  CUDA_CHECK_LAUNCH();
}

void vertex_mean_backward(float* dx, const float* mass, const float* mass_sum, const float* dy,
                          int64_t batch, int64_t verts, int64_t channels, cudaStream_t stream) {
  const int64_t n = batch * verts * channels;
  if (n == 0) return;
  vertex_mean_backward_kernel<<<grid_for(n), kBlock, 0, stream>>>(dx, mass, mass_sum, dy, n, verts,
                                                                  channels);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
