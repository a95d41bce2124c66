#include <cmath>

#include "kernels/adam.h"

namespace nfs::cpu {
void adam_step(float* param, float* m, float* v, const float* grad, int64_t n, const AdamHyper& h,
               int64_t step) {
  const double bc1 = 1.0 - std::pow(double(h.beta1), double(step));
  const double bc2 = 1.0 - std::pow(double(h.beta2), double(step));
  for (int64_t i = 0; i < n; ++i) {
    m[i] = h.beta1 * m[i] + (1.0f - h.beta1) * grad[i];
    v[i] = h.beta2 * v[i] + (1.0f - h.beta2) * grad[i] * grad[i];
    const double mhat = m[i] / bc1, vhat = v[i] / bc2;
    param[i] -= static_cast<float>(h.lr * mhat / (std::sqrt(vhat) + h.eps));
  }
}
}  // namespace nfs::cpu
