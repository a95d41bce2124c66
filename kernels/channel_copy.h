// Strided copy of a block of channels between two [rows, channels] matrices: the forward and the
// backward of concat and slice along the last axis.
//   dst[r, dst_offset + c] = src[r, src_offset + c]     for r < rows, c < count
// Overwrites the block of dst (other channels untouched), or adds to it when accumulate (a
// leaf's gradient buffer, or several slices of one tensor adding their gradients).
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs::cpu {
void channel_copy(float* dst, const float* src, int64_t rows, int64_t count, int64_t dst_channels,
                  int64_t dst_offset, int64_t src_channels, int64_t src_offset, bool accumulate);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void channel_copy(float* dst, const float* src, int64_t rows, int64_t count, int64_t dst_channels,
                  int64_t dst_offset, int64_t src_channels, int64_t src_offset, bool accumulate,
                  cudaStream_t stream);
}  // namespace nfs::cuda
#endif
