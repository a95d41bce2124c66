#include <algorithm>
#include <vector>

#include "kernels/reduce.h"

namespace nfs::cpu {

void sum_forward(float* out, const float* x, int64_t n, float scale) {
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i) acc += x[i];
  out[0] = static_cast<float>(scale * acc);
}

void sum_backward(float* dx, const float* dy, int64_t n, float scale) {
  const float g = scale * dy[0];
  for (int64_t i = 0; i < n; ++i) dx[i] = g;
}

void vertex_mean_forward(float* y, const float* x, const float* mass, const float* mass_sum,
                         int64_t batch, int64_t verts, int64_t channels) {
  std::vector<double> acc(static_cast<size_t>(channels));
  for (int64_t b = 0; b < batch; ++b) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t v = 0; v < verts; ++v)
      for (int64_t c = 0; c < channels; ++c)
        acc[c] += static_cast<double>(mass[v]) * x[(b * verts + v) * channels + c];
    for (int64_t c = 0; c < channels; ++c)
      y[b * channels + c] = static_cast<float>(acc[c] / mass_sum[0]);
  }
}

void vertex_mean_backward(float* dx, const float* mass, const float* mass_sum, const float* dy,
                          int64_t batch, int64_t verts, int64_t channels) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t v = 0; v < verts; ++v) {
      const float w = mass[v] / mass_sum[0];
      for (int64_t c = 0; c < channels; ++c)
        dx[(b * verts + v) * channels + c] = w * dy[b * channels + c];
    }
}

}  // namespace nfs::cpu
