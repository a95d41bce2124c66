// The canonical frame (SPEC §5): the ICT model's own frame scaled from centimetres by 0.1, Y up,
// the face looking toward +Z, translated so that the centre of the bounding box of the face
// region (ICT vertices [0, 9409)) of the generic neutral is the origin.
#pragma once
#include <array>
#include <cstdint>

namespace nfs {

constexpr float kIctToCanonicalScale = 0.1f;
constexpr int64_t kIctFaceRegionEnd = 9409;     // face: vertices [0, 9409)
constexpr int64_t kIctNarrowFaceEnd = 6706;     // narrow face area: [0, 6706)
constexpr int64_t kIctHeadRegionEnd = 11248;    // face + head and neck: [0, 11248)

// Offset subtracted after scaling: the face-region bounding-box centre of the neutral, scaled.
// @param[in] neutral_cm  #V by 3 (V >= 9409) generic ICT neutral, centimetres, row-major
std::array<float, 3> ict_canonical_offset(const float* neutral_cm);

// out = in · 0.1 - offset for n points (in and out may alias).
void ict_to_canonical(const float* in_cm, float* out, int64_t n, const std::array<float, 3>& offset);

}  // namespace nfs
