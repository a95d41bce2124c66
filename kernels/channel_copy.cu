#include "kernels/channel_copy.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"

namespace nfs::cuda {

// One thread per copied element; consecutive threads copy consecutive channels of a row.
static __global__ void channel_copy_kernel(float* dst, const float* src, int64_t n, int64_t count,
                                           int64_t dst_channels, int64_t dst_offset,
                                           int64_t src_channels, int64_t src_offset,
                                           bool accumulate) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t r = i / count, c = i - r * count;
    const float v = src[r * src_channels + src_offset + c];
    float* d = dst + r * dst_channels + dst_offset + c;
    *d = accumulate ? *d + v : v;
  }
}

void channel_copy(float* dst, const float* src, int64_t rows, int64_t count, int64_t dst_channels,
                  int64_t dst_offset, int64_t src_channels, int64_t src_offset, bool accumulate,
                  cudaStream_t stream) {
  const int64_t n = rows * count;
  if (n == 0) return;
  channel_copy_kernel<<<grid_for(n), kBlock, 0, stream>>>(
      dst, src, n, count, dst_channels, dst_offset, src_channels, src_offset, accumulate);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
