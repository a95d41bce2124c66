// Stylized heads for evaluation (the evaluation issue): smooth space warps φ of the canonical
// frame with unusual proportions, anchored on landmarks measured on the ICT model itself (eye
// centres from where eyeBlink moves the lids, the jaw from jawOpen, the nose tip as the most
// forward face point). The ground truth of expression w on a warped head is φ(n + w·B) − φ(n):
// the proportions change how far a lid must travel.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

#include "train/ict_model.h"

namespace nfs {

struct FaceAnchors {
  Eigen::Vector3d eye_left, eye_right, jaw, nose_tip, head_centre;
  double head_height = 0.0;
};
// From the canonical generic neutral and its expression deltas.
FaceAnchors face_anchors(const IctModel& model);

// One named warp: a smooth, injective map of canonical points (a composition of radial
// scalings with Gaussian falloff and bounded translations).
struct StyleWarp {
  std::string name;
  enum Kind { kIdentity, kScale, kBigEyes, kWideJaw, kLongNose, kCartoon } kind = kIdentity;
  double amount = 1.0;  // kScale: the uniform scale about the origin; others: strength (1 = default)
  FaceAnchors anchors;
  Eigen::Vector3d apply(const Eigen::Vector3d& x) const;
  // [V·3] canonical points, warped.
  std::vector<float> apply(const std::vector<float>& points) const;
};

// The fixed evaluation set: big eyes (1.3x about each eye), wide jaw and cheeks, long nose, and
// a cartoon (large cranium, small chin, big eyes).
std::vector<StyleWarp> evaluation_warps(const FaceAnchors& anchors);

}  // namespace nfs
