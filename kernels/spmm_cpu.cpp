#include <algorithm>
#include <vector>

#include "kernels/spmm.h"

namespace nfs::cpu {

void spmm_forward(float* y, const CsrView& s, const float* x, int64_t batch, int64_t channels) {
  std::vector<double> acc(channels);
  for (int64_t b = 0; b < batch; ++b) {
    const float* xb = x + b * s.cols * channels;
    for (int64_t r = 0; r < s.rows; ++r) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int32_t j = s.indptr[r]; j < s.indptr[r + 1]; ++j) {
        const double v = s.values[j];
        const float* xr = xb + static_cast<int64_t>(s.indices[j]) * channels;
        for (int64_t c = 0; c < channels; ++c) acc[c] += v * xr[c];
      }
      float* yr = y + (b * s.rows + r) * channels;
      for (int64_t c = 0; c < channels; ++c) yr[c] = static_cast<float>(acc[c]);
    }
  }
}

}  // namespace nfs::cpu
