#include <cmath>

#include "kernels/weight_norm.h"

namespace nfs::cpu {

void weight_norm_forward(float* w, float* norm, const float* v, const float* g, int64_t rows,
                         int64_t cols) {
  for (int64_t o = 0; o < rows; ++o) {
    const float* vo = v + o * cols;
    double sq = 0.0;
    for (int64_t k = 0; k < cols; ++k) sq += static_cast<double>(vo[k]) * vo[k];
    const double n = std::sqrt(sq);
    norm[o] = static_cast<float>(n);
    for (int64_t k = 0; k < cols; ++k) w[o * cols + k] = static_cast<float>(g[o] * vo[k] / n);
  }
}

void weight_norm_backward(float* dv, float* dg, const float* dw, const float* norm, const float* v,
                          const float* g, int64_t rows, int64_t cols) {
  for (int64_t o = 0; o < rows; ++o) {
    const float* vo = v + o * cols;
    const float* dwo = dw + o * cols;
    double s = 0.0;
    for (int64_t k = 0; k < cols; ++k) s += static_cast<double>(dwo[k]) * vo[k];
    const double n = norm[o];
    if (dg) dg[o] += static_cast<float>(s / n);
    if (dv)
      for (int64_t k = 0; k < cols; ++k)
        dv[o * cols + k] += static_cast<float>(g[o] / n * (dwo[k] - s / (n * n) * vo[k]));
  }
}

}  // namespace nfs::cpu
