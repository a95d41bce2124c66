#include "train/stylize.h"

#include <cmath>

#include "geometry/canonical.h"

namespace nfs {

namespace {
constexpr int64_t kFaceVertices = 9409;  // SPEC §5 face region

Eigen::Vector3d weighted_centroid(const std::vector<float>& p, const std::vector<float>& delta, int64_t V) {
  Eigen::Vector3d c = Eigen::Vector3d::Zero();
  double sum = 0.0;
  for (int64_t v = 0; v < V; ++v) {
    const double w = std::sqrt(double(delta[3 * v]) * delta[3 * v] + double(delta[3 * v + 1]) * delta[3 * v + 1] +
                               double(delta[3 * v + 2]) * delta[3 * v + 2]);
    c += w * Eigen::Vector3d(p[3 * v], p[3 * v + 1], p[3 * v + 2]);
    sum += w;
  }
  return sum > 0 ? Eigen::Vector3d(c / sum) : c;
}

double gauss(const Eigen::Vector3d& x, const Eigen::Vector3d& c, double radius) {
  return std::exp(-(x - c).squaredNorm() / (radius * radius));
}

double smoothstep(double t) {  // 0 below -1, 1 above 1, C1 in between
  t = std::clamp(0.5 * (t + 1.0), 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

// Radial scaling about c by (1 + k·g): k = 0.3 is 1.3x at the centre, fading with radius.
Eigen::Vector3d radial(const Eigen::Vector3d& x, const Eigen::Vector3d& c, double radius, double k) {
  return x + k * gauss(x, c, radius) * (x - c);
}
}  // namespace

FaceAnchors face_anchors(const IctModel& model) {
  std::vector<float> p = model.neutral;
  model.to_canonical(p);
  const int64_t V = model.num_vertices, n = int64_t(p.size());
  auto shape = [&](const char* name) {
    const int k = model.expression_index(name);
    return std::vector<float>(model.expression_deltas.begin() + k * n, model.expression_deltas.begin() + (k + 1) * n);
  };
  FaceAnchors a;
  a.eye_left = weighted_centroid(p, shape("eyeBlink_L"), V);
  a.eye_right = weighted_centroid(p, shape("eyeBlink_R"), V);
  a.jaw = weighted_centroid(p, shape("jawOpen"), V);
  int64_t tip = 0;
  for (int64_t v = 0; v < std::min(V, kFaceVertices); ++v)
    if (p[3 * v + 2] > p[3 * tip + 2]) tip = v;
  a.nose_tip = Eigen::Vector3d(p[3 * tip], p[3 * tip + 1], p[3 * tip + 2]);
  Eigen::Vector3d lo = a.nose_tip, hi = a.nose_tip;
  for (int64_t v = 0; v < V; ++v)
    for (int c = 0; c < 3; ++c) {
      lo[c] = std::min(lo[c], double(p[3 * v + c]));
      hi[c] = std::max(hi[c], double(p[3 * v + c]));
    }
  a.head_centre = 0.5 * (lo + hi);
  a.head_height = hi[1] - lo[1];
  return a;
}

Eigen::Vector3d StyleWarp::apply(const Eigen::Vector3d& x0) const {
  const FaceAnchors& a = anchors;
  const double h = a.head_height, s = amount;
  Eigen::Vector3d x = x0;
  auto big_eyes = [&](Eigen::Vector3d y, double k) {
    y = radial(y, a.eye_left, 0.12 * h, k);
    return radial(y, a.eye_right, 0.12 * h, k);
  };
  switch (kind) {
    case kIdentity:
      return x;
    case kScale:
      return s * x;
    case kBigEyes:
      return big_eyes(x, 0.3 * s);
    case kWideJaw: {
      // Points below the eyes get wider, up to 1.25x at the jaw and below.
      const double eye_y = 0.5 * (a.eye_left.y() + a.eye_right.y());
      const double t = smoothstep((eye_y - x.y()) / (0.5 * (eye_y - a.jaw.y())) - 1.0);
      x.x() = a.head_centre.x() + (x.x() - a.head_centre.x()) * (1.0 + 0.25 * s * t);
      return x;
    }
    case kLongNose:
      // The nose tip pushed forward 8 % of the head height and down a little, fading with distance.
      return x + gauss(x, a.nose_tip, 0.1 * h) * s * h * Eigen::Vector3d(0.0, -0.015, 0.08);
    case kCartoon: {
      // Large cranium (1.2x above the eyes), small chin (0.8x about the jaw), big eyes (1.35x).
      const double eye_y = 0.5 * (a.eye_left.y() + a.eye_right.y());
      const double up = smoothstep((x.y() - eye_y) / (0.2 * h));
      const Eigen::Vector3d pivot(a.head_centre.x(), eye_y, a.head_centre.z());
      x = x + 0.2 * s * up * (x - pivot);
      x = radial(x, a.jaw, 0.15 * h, -0.2 * s);
      return big_eyes(x, 0.35 * s);
    }
  }
  return x;
}

std::vector<float> StyleWarp::apply(const std::vector<float>& points) const {
  std::vector<float> out(points.size());
  for (size_t i = 0; i + 2 < points.size(); i += 3) {
    const Eigen::Vector3d y = apply(Eigen::Vector3d(points[i], points[i + 1], points[i + 2]));
    for (int c = 0; c < 3; ++c) out[i + c] = float(y[c]);
  }
  return out;
}

std::vector<StyleWarp> evaluation_warps(const FaceAnchors& anchors) {
  std::vector<StyleWarp> w(4);
  const char* names[4] = {"big eyes", "wide jaw", "long nose", "cartoon"};
  const StyleWarp::Kind kinds[4] = {StyleWarp::kBigEyes, StyleWarp::kWideJaw, StyleWarp::kLongNose,
                                    StyleWarp::kCartoon};
  for (int i = 0; i < 4; ++i) {
    w[i].name = names[i];
    w[i].kind = kinds[i];
    w[i].anchors = anchors;
  }
  return w;
}

}  // namespace nfs
