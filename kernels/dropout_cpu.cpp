#include "kernels/dropout.h"

namespace nfs::cpu {

// Forward and backward apply the same mask and scale; only the meaning of in/out differs.
static void apply_mask(float* out, const float* in, int64_t n, uint64_t seed, float p) {
  const uint32_t threshold = dropout_threshold(p);
  const float scale = dropout_scale(p);
  for (int64_t i = 0; i < n; ++i)
    out[i] = dropout_keep(seed, static_cast<uint64_t>(i), threshold) ? in[i] * scale : 0.0f;
}

void dropout_forward(float* y, const float* x, int64_t n, uint64_t seed, float p) {
  apply_mask(y, x, n, seed, p);
}

void dropout_backward(float* dx, const float* dy, int64_t n, uint64_t seed, float p) {
  apply_mask(dx, dy, n, seed, p);
}

}  // namespace nfs::cpu
