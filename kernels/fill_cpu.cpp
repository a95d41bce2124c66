#include "kernels/fill.h"

namespace nfs::cpu {
void fill(float* out, float value, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = value;
}
void axpy(float* y, float alpha, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}
void clamp_min(float* x, float lo, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] < lo ? lo : x[i];
}
}  // namespace nfs::cpu
