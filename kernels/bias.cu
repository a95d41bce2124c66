#include "kernels/bias.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/row_chunks.h"

namespace nfs::cuda {

static __global__ void bias_add_kernel(float* y, const float* bias, int64_t n, int64_t channels) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    y[i] += bias[i % channels];
}

// Blocks of 32 channels × a chunk of rows: 8 row lanes stride over the chunk, then a shared-memory
// reduction. With several chunks (gridDim.y > 1) the blocks add into dbias atomically, so a long
// column (B·V = 1.6M rows) is summed by many blocks, not by 8 threads serially.
static __global__ void bias_backward_kernel(float* dbias, const float* dy, int64_t rows,
                                            int64_t channels) {
  __shared__ float partial[8][33];
  const int64_t c = blockIdx.x * 32 + threadIdx.x;
  int64_t first, last;
  chunk_rows(rows, gridDim.y, blockIdx.y, first, last);
  float acc = 0.0f;
  if (c < channels)
    for (int64_t r = first + threadIdx.y; r < last; r += blockDim.y) acc += dy[r * channels + c];
  partial[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && c < channels) {
    float s = 0.0f;
    for (int i = 0; i < 8; ++i) s += partial[i][threadIdx.x];
    if (gridDim.y == 1) dbias[c] += s;  // one chunk: deterministic
    else atomicAdd(&dbias[c], s);
  }
}

void bias_add_forward(float* y, const float* bias, int64_t rows, int64_t channels,
                      cudaStream_t stream) {
  const int64_t n = rows * channels;
  if (n == 0) return;
  bias_add_kernel<<<grid_for(n), kBlock, 0, stream>>>(y, bias, n, channels);
  CUDA_CHECK_LAUNCH();
}

void bias_backward(float* dbias, const float* dy, int64_t rows, int64_t channels,
                   cudaStream_t stream) {
  if (channels == 0) return;
  dim3 block(32, 8);
  dim3 grid(static_cast<unsigned>((channels + 31) / 32), row_chunks(rows));
  bias_backward_kernel<<<grid, block, 0, stream>>>(dbias, dy, rows, channels);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
