#include <algorithm>
#include <cmath>

#include "kernels/loss.h"

namespace nfs::cpu {

namespace {
double clamped_log(double x) {
  return std::max(std::log(x), -100.0);
}  // log 0 = -inf -> -100
}  // namespace

void mse_forward(float* out, const float* p, const float* t, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(p[i]) - t[i];
    s += d * d;
  }
  out[0] = static_cast<float>(s / n);
}

void mse_backward(float* dp, float* dt, const float* dout, const float* p, const float* t,
                  int64_t n) {
  const double k = 2.0 * dout[0] / n;
  for (int64_t i = 0; i < n; ++i) {
    const double g = k * (static_cast<double>(p[i]) - t[i]);
    if (dp) dp[i] = static_cast<float>(g);
    if (dt) dt[i] = static_cast<float>(-g);
  }
}

void bce_forward(float* out, const float* p, const float* t, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i)
    s -= t[i] * clamped_log(p[i]) + (1.0 - t[i]) * clamped_log(1.0 - p[i]);
  out[0] = static_cast<float>(s / n);
}

void bce_backward(float* dp, float* dt, const float* dout, const float* p, const float* t,
                  int64_t n) {
  const double k = static_cast<double>(dout[0]) / n;
  for (int64_t i = 0; i < n; ++i) {
    const double pi = p[i];
    if (dp) dp[i] = static_cast<float>(k * (pi - t[i]) / std::max(pi * (1.0 - pi), 1e-12));
    if (dt) dt[i] = static_cast<float>(k * (clamped_log(1.0 - pi) - clamped_log(pi)));
  }
}

void hinge01_forward(float* out, const float* z, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += z[i] < 0.0f ? -z[i] : (z[i] > 1.0f ? z[i] - 1.0 : 0.0);
  out[0] = static_cast<float>(s / n);
}

void hinge01_backward(float* dz, const float* dout, const float* z, int64_t n) {
  const double k = static_cast<double>(dout[0]) / n;
  for (int64_t i = 0; i < n; ++i)
    dz[i] = static_cast<float>(z[i] < 0.0f ? -k : (z[i] > 1.0f ? k : 0.0));
}

}  // namespace nfs::cpu
