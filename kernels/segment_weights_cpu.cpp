#include <cstddef>
#include <vector>

#include "kernels/segment_weights.h"

namespace nfs::cpu {

void segment_weights(float* w, const float* s, const float* mass, int64_t B, int64_t V, int64_t L) {
  std::vector<double> total(static_cast<size_t>(L));
  for (int64_t b = 0; b < B; ++b) {
    const float* sb = s + b * V * L;
    float* wb = w + b * V * L;
    total.assign(static_cast<size_t>(L), 0.0);
    for (int64_t v = 0; v < V; ++v)
      for (int64_t l = 0; l < L; ++l) total[l] += double(mass[v]) * sb[v * L + l];
    for (double& t : total) t = t > 0.0 ? 1.0 / t : 0.0;
    for (int64_t v = 0; v < V; ++v)
      for (int64_t l = 0; l < L; ++l)
        wb[v * L + l] = float(double(mass[v]) * sb[v * L + l] * total[l]);
  }
}

}  // namespace nfs::cpu
