#include <cmath>
#include <vector>

#include "kernels/group_norm.h"

namespace nfs::cpu {

namespace {
// Offset of element (b, v, c) in [B, V, C].
inline int64_t at(const GroupNormShape& s, int64_t b, int64_t v, int64_t c) {
  return (b * s.vertices + v) * s.channels + c;
}
}  // namespace

void group_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* gamma,
                        const float* beta, const GroupNormShape& s, float eps) {
  const int64_t cg = s.group_size();
  const double n = static_cast<double>(s.group_numel());
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t g = 0; g < s.groups; ++g) {
      double sum = 0.0;
      for (int64_t v = 0; v < s.vertices; ++v)
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) sum += x[at(s, b, v, c)];
      const double mu = sum / n;
      double sq = 0.0;  // two passes: no cancellation
      for (int64_t v = 0; v < s.vertices; ++v)
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
          const double d = x[at(s, b, v, c)] - mu;
          sq += d * d;
        }
      const double r = 1.0 / std::sqrt(sq / n + eps);
      mean[b * s.groups + g] = static_cast<float>(mu);
      rstd[b * s.groups + g] = static_cast<float>(r);
      for (int64_t v = 0; v < s.vertices; ++v)
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
          const int64_t i = at(s, b, v, c);
          y[i] = static_cast<float>((x[i] - mu) * r * gamma[c] + beta[c]);
        }
    }
}

void group_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* mean, const float* rstd, const float* gamma,
                         const GroupNormShape& s) {
  const int64_t cg = s.group_size();
  const double n = static_cast<double>(s.group_numel());
  std::vector<double> dg(s.channels, 0.0), db(s.channels, 0.0);
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t g = 0; g < s.groups; ++g) {
      const double mu = mean[b * s.groups + g], r = rstd[b * s.groups + g];
      double sum_d = 0.0, sum_dxh = 0.0;  // Σ dx̂ and Σ dx̂·x̂ over the group
      for (int64_t v = 0; v < s.vertices; ++v)
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
          const int64_t i = at(s, b, v, c);
          const double xh = (x[i] - mu) * r;
          const double d = static_cast<double>(dy[i]) * gamma[c];
          sum_d += d;
          sum_dxh += d * xh;
          dg[c] += dy[i] * xh;
          db[c] += dy[i];
        }
      if (!dx) continue;
      const double mean_d = sum_d / n, mean_dxh = sum_dxh / n;
      for (int64_t v = 0; v < s.vertices; ++v)
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
          const int64_t i = at(s, b, v, c);
          const double xh = (x[i] - mu) * r;
          const double d = static_cast<double>(dy[i]) * gamma[c];
          dx[i] = static_cast<float>(r * (d - mean_d - xh * mean_dxh));
        }
    }
  for (int64_t c = 0; c < s.channels; ++c) {
    if (dgamma) dgamma[c] += static_cast<float>(dg[c]);
    if (dbeta) dbeta[c] += static_cast<float>(db[c]);
  }
}

}  // namespace nfs::cpu
