#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "geometry/align.h"
#include "geometry/mesh_fixtures.h"
#include "geometry/remesh.h"

using namespace nfs;

namespace {

const AlignReference& ict_reference() {
  static const AlignReference ref(test::ict_head().V, test::ict_triangles());
  return ref;
}

Similarity make_similarity(double s, const Eigen::Vector3d& axis, double degrees,
                           const Eigen::Vector3d& t) {
  Similarity T;
  T.s = s;
  T.R = Eigen::AngleAxisd(degrees * 3.14159265358979323846 / 180.0, axis.normalized())
            .toRotationMatrix();
  T.t = t;
  return T;
}

// Puts canonical points X into a user frame by `pose`, aligns them back, and returns the
// largest distance (canonical units) between where each point lands and where it belongs.
double max_alignment_error(const Eigen::MatrixXd& X, const Eigen::MatrixXi& F,
                           const Similarity& pose, const AlignOptions& options = {},
                           AlignReport* report = nullptr) {
  const Eigen::MatrixXd user = pose.apply(X);
  Similarity to_canonical, to_user;
  align_to_canonical(ict_reference(), user, F, options, to_canonical, to_user, report);
  // to_user undoes to_canonical, in the user's units.
  const Eigen::MatrixXd back = to_user.apply(to_canonical.apply(user));
  CHECK((back - user).cwiseAbs().maxCoeff() <= 1e-9 * user.cwiseAbs().maxCoeff());
  return (to_canonical.apply(user) - X).rowwise().norm().maxCoeff();
}

}  // namespace

TEST_CASE("similarity: inverse, compose and Umeyama's fit, by hand", "[align]") {
  const Similarity T = make_similarity(2.5, {1, 2, 3}, 40, {1, -2, 0.5});
  const Eigen::Vector3d x(0.3, -1.2, 2.0);
  CHECK((T.inverse().apply_point(T.apply_point(x)) - x).norm() < 1e-12);
  CHECK((T.compose(T.inverse()).apply_point(x) - x).norm() < 1e-12);
  CHECK(T.R.determinant() == Approx(1.0));
  // Exact correspondences give the transform back.
  Eigen::MatrixXd X(5, 3);
  X << 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1;
  const Similarity U = umeyama_similarity(X, T.apply(X));
  CHECK(U.s == Approx(2.5));
  CHECK((U.R - T.R).norm() < 1e-12);
  CHECK((U.t - T.t).norm() < 1e-12);
  // A mirror image is not a rotation: Umeyama returns the best proper rotation instead.
  Eigen::MatrixXd M = X;
  M.col(0) *= -1;
  CHECK(umeyama_similarity(X, M).R.determinant() == Approx(1.0));
  // Fixed scale.
  const Similarity W = umeyama_similarity(X, T.apply(X), 2.5);
  CHECK((W.R - T.R).norm() < 1e-12);
  CHECK((W.t - T.t).norm() < 1e-12);
}

TEST_CASE(
    "align: crops of the ICT head, scaled 0.01-100, shifted, rotated 20 degrees, land "
    "within 2% of the head height",
    "[align]") {
  const auto& head = test::ict_head();
  const double head_height = ict_reference().head_height();
  const double tolerance = 0.02 * head_height;  // measured as the MAX vertex error
  const int64_t crops[3] = {kIctHeadRegionEnd, kIctFaceRegionEnd, kIctNarrowFaceEnd};
  const double scales[3] = {0.01, 1.0, 100.0};
  // 20° (the limit) about a different axis each time; the shift is many mesh sizes.
  const Eigen::Vector3d axes[9] = {{1, 0, 0}, {0, 1, 0},  {0, 0, 1},  {1, 1, 0}, {0, 1, -1},
                                   {1, 0, 1}, {-1, 1, 1}, {1, -2, 1}, {2, 1, -1}};
  int k = 0;
  for (int64_t end : crops) {
    const Eigen::MatrixXd X = head.V.topRows(end);
    const Eigen::MatrixXi F = test::ict_triangles(end);
    for (double s : scales) {
      const double sign = (k % 2) ? -1.0 : 1.0;
      const Similarity pose =
          make_similarity(s, axes[k], sign * 20.0, s * Eigen::Vector3d(7.0, -3.0, 11.0 * sign));
      AlignReport report;
      const double err = max_alignment_error(X, F, pose, {}, &report);
      INFO("crop [0, " << end << "), scale " << s << ", axis " << axes[k].transpose()
                       << ": max error " << err << " (" << 100 * err / head_height
                       << "% of the head height), start " << report.start << ", "
                       << report.iterations << " iterations");
      CHECK(err < tolerance);
      ++k;
    }
  }
}

TEST_CASE("align: a re-meshed ICT head lands where it belongs", "[align]") {
  const auto& head = test::ict_head();
  const Eigen::MatrixXi F = test::ict_triangles();
  RemeshOptions opt;
  opt.target_vertices = 3000;
  opt.seed = 11;
  Eigen::MatrixXd V2, B2;
  Eigen::MatrixXi F2;
  Eigen::VectorXi I2;
  remesh(head.V, F, opt, V2, F2, I2, B2);  // its vertices lie on the canonical ICT surface
  const Similarity pose = make_similarity(37.0, {1, 1, 0}, 15.0, {-20, 55, 3});
  const double err = max_alignment_error(V2, F2, pose);
  INFO("max error " << err);
  CHECK(err < 0.02 * ict_reference().head_height());
  // Its face region alone, re-meshed.
  const Eigen::MatrixXi Ff = test::ict_triangles(kIctFaceRegionEnd);
  remesh(head.V, Ff, opt, V2, F2, I2, B2);
  const double err_face =
      max_alignment_error(V2, F2, make_similarity(0.02, {0, 1, 1}, -18.0, {0.1, 0.2, -0.3}));
  INFO("face: max error " << err_face);
  CHECK(err_face < 0.02 * ict_reference().head_height());
}

TEST_CASE("align: the ICT head with a neck 30% longer lands where it belongs", "[align]") {
  // Extrude the neck cut (the boundary loop lowest down) 1 unit further down, in 8 rings.
  const auto& head = test::ict_head();
  const Eigen::MatrixXi F = test::ict_triangles();
  std::map<std::pair<int, int>, int> half;
  for (int f = 0; f < F.rows(); ++f)
    for (int k = 0; k < 3; ++k) half[{F(f, k), F(f, (k + 1) % 3)}] = f;
  std::map<int, int> next;
  for (const auto& [e, f] : half)
    if (!half.count({e.second, e.first})) next[e.first] = e.second;
  int lowest = next.begin()->first;
  for (const auto& [u, v] : next)
    if (head.V(u, 1) < head.V(lowest, 1)) lowest = u;
  std::vector<int> loop;
  for (int u = lowest; loop.empty() || u != lowest; u = next[u]) loop.push_back(u);
  Eigen::MatrixXd V = head.V;
  std::vector<int> tri(F.rows() * 3);
  for (int f = 0; f < F.rows(); ++f)
    for (int k = 0; k < 3; ++k) tri[3 * f + k] = F(f, k);
  const int L = int(loop.size()), rings = 8;
  std::vector<int> prev = loop;
  for (int r = 1; r <= rings; ++r) {
    const int base = int(V.rows());
    V.conservativeResize(base + L, 3);
    for (int j = 0; j < L; ++j) {
      V.row(base + j) = head.V.row(loop[j]);
      V(base + j, 1) -= 1.0 * r / rings;
    }
    for (int j = 0; j < L; ++j) {  // the loop runs a → b along the head's boundary
      const int a = prev[j], b = prev[(j + 1) % L], c = base + (j + 1) % L, d = base + j;
      tri.insert(tri.end(), {b, a, d, b, d, c});
    }
    for (int j = 0; j < L; ++j) prev[j] = base + j;
  }
  Eigen::MatrixXi G(int(tri.size() / 3), 3);
  for (int f = 0; f < G.rows(); ++f)
    for (int k = 0; k < 3; ++k) G(f, k) = tri[3 * f + k];
  const Similarity pose = make_similarity(3.0, {1, 0, 1}, 15.0, {1, 2, 3});
  const Eigen::MatrixXd user = pose.apply(V);
  Similarity to_canonical, to_user;
  align_to_canonical(ict_reference(), user, G, {}, to_canonical, to_user);
  const double err =
      (to_canonical.apply(user.topRows(kIctHeadRegionEnd)) - head.V).rowwise().norm().maxCoeff();
  INFO("max error over the head " << err);
  CHECK(err < 0.02 * ict_reference().head_height());
}

TEST_CASE("align: axis, scale and offset overrides, bounding-box and none modes", "[align]") {
  const auto& head = test::ict_head();
  const Eigen::MatrixXd X = head.V.topRows(kIctHeadRegionEnd);
  const Eigen::MatrixXi F = test::ict_triangles();
  const double tolerance = 0.02 * ict_reference().head_height();

  // A Z-up mesh looking toward -Y (canonical +Y → +Z, +Z → -Y), in millimetres.
  Similarity z_up;
  z_up.s = 100.0;
  z_up.R << 1, 0, 0, 0, 0, -1, 0, 1, 0;
  z_up.t = Eigen::Vector3d(5, 6, 7);
  AlignOptions opt;
  opt.up = Eigen::Vector3d(0, 0, 1);
  opt.forward = Eigen::Vector3d(0, -1, 0);
  CHECK(max_alignment_error(X, F, z_up, opt) < tolerance);

  // The bounding box alone maps the upright head exactly onto itself.
  const Similarity shifted = make_similarity(0.01, {0, 1, 0}, 0.0, {3, 4, 5});
  AlignOptions box;
  box.mode = AlignMode::kBoundingBox;
  CHECK(max_alignment_error(X, F, shifted, box) < 1e-9);

  // A known scale is kept; ICP fits rotation and translation.
  AlignOptions fixed;
  fixed.scale = 100.0;
  const Similarity pose = make_similarity(0.01, {1, 0, 1}, 12.0, {3, 4, 5});
  Similarity to_canonical, to_user;
  align_to_canonical(ict_reference(), pose.apply(X), F, fixed, to_canonical, to_user);
  CHECK(to_canonical.s == 100.0);
  CHECK((to_canonical.apply(pose.apply(X)) - X).rowwise().norm().maxCoeff() < tolerance);

  // Scale and offset given: exactly that transform (with the axes' rotation).
  AlignOptions given;
  given.scale = 2.0;
  given.offset = Eigen::Vector3d(1, 2, 3);
  align_to_canonical(ict_reference(), X, F, given, to_canonical, to_user);
  CHECK(to_canonical.s == 2.0);
  CHECK(to_canonical.t == Eigen::Vector3d(1, 2, 3));
  CHECK(to_canonical.R.isIdentity());

  // none: the input is canonical already.
  AlignOptions none;
  none.mode = AlignMode::kNone;
  CHECK(max_alignment_error(X, F, Similarity(), none) == 0.0);

  // Without faces the vertices are the samples.
  CHECK(max_alignment_error(X, Eigen::MatrixXi(0, 3),
                            make_similarity(10.0, {0, 0, 1}, 10.0, {1, 1, 1})) < tolerance);
}

TEST_CASE("align rejects bad input", "[align]") {
  const auto& ref = ict_reference();
  Similarity a, b;
  Eigen::MatrixXd V = Eigen::MatrixXd::Random(10, 3);
  const Eigen::MatrixXi none(0, 3);
  AlignOptions opt;
  CHECK_THROWS_AS(align_to_canonical(ref, Eigen::MatrixXd(2, 3), none, opt, a, b),
                  std::invalid_argument);
  Eigen::MatrixXd bad = V;
  bad(3, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(align_to_canonical(ref, bad, none, opt, a, b), std::invalid_argument);
  Eigen::MatrixXi F(1, 3);
  F << 0, 1, 10;
  CHECK_THROWS_AS(align_to_canonical(ref, V, F, opt, a, b), std::invalid_argument);
  Eigen::MatrixXd flat = V;
  flat.col(1).setZero();  // no height along +Y
  CHECK_THROWS_AS(align_to_canonical(ref, flat, none, opt, a, b), std::invalid_argument);
  AlignOptions parallel;
  parallel.forward = Eigen::Vector3d(0, 2, 0);
  CHECK_THROWS_AS(align_to_canonical(ref, V, none, parallel, a, b), std::invalid_argument);
  AlignOptions trim;
  trim.trim = 0.95;
  CHECK_THROWS_AS(align_to_canonical(ref, V, none, trim, a, b), std::invalid_argument);
}
