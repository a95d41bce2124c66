#include "kernels/channel_copy.h"

namespace nfs::cpu {

void channel_copy(float* dst, const float* src, int64_t rows, int64_t count, int64_t dst_channels,
                  int64_t dst_offset, int64_t src_channels, int64_t src_offset, bool accumulate) {
  for (int64_t r = 0; r < rows; ++r) {
    float* d = dst + r * dst_channels + dst_offset;
    const float* s = src + r * src_channels + src_offset;
    for (int64_t c = 0; c < count; ++c) d[c] = accumulate ? d[c] + s[c] : s[c];
  }
}

}  // namespace nfs::cpu
