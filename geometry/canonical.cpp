#include "geometry/canonical.h"

#include <algorithm>

namespace nfs {

std::array<float, 3> ict_canonical_offset(const float* neutral_cm) {
  std::array<float, 3> lo{1e30f, 1e30f, 1e30f}, hi{-1e30f, -1e30f, -1e30f};
  for (int64_t i = 0; i < kIctFaceRegionEnd; ++i)
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], neutral_cm[3 * i + k]);
      hi[k] = std::max(hi[k], neutral_cm[3 * i + k]);
    }
  std::array<float, 3> offset;
  for (int k = 0; k < 3; ++k) offset[k] = 0.5f * (lo[k] + hi[k]) * kIctToCanonicalScale;
  return offset;
}

void ict_to_canonical(const float* in_cm, float* out, int64_t n, const std::array<float, 3>& offset) {
  for (int64_t i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) out[3 * i + k] = in_cm[3 * i + k] * kIctToCanonicalScale - offset[k];
}

}  // namespace nfs
