// The evaluation's per-component measures against closed forms, the stylized warps, and the
// closest-point baseline.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "geometry/canonical.h"
#include "geometry/mesh_arrays.h"
#include "infer/canonical_mesh.h"
#include "train/closest_point_baseline.h"
#include "train/diagnostics.h"
#include "train/stylize.h"

using namespace nfs;

namespace {
std::vector<std::vector<float>> random_rows(int rows, int dims, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<std::vector<float>> r(rows, std::vector<float>(dims));
  for (auto& row : r)
    for (float& x : row) x = u(rng);
  return r;
}

const IctModel& ict() {
  static IctModel m = load_ict_model(NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors");
  return m;
}
}  // namespace

TEST_CASE("R² is 1 for a perfect predictor, 0 for the column means, 1 - SSres/SStot otherwise", "[train][diagnostics]") {
  const auto truth = random_rows(20, 5, 1);
  CHECK(r_squared(truth, truth, 5) == Approx(1.0));
  std::vector<float> mean(5, 0.0f);
  for (const auto& t : truth)
    for (int d = 0; d < 5; ++d) mean[d] += t[d] / 20.0f;
  CHECK(r_squared(std::vector<std::vector<float>>(20, mean), truth, 5) == Approx(0.0).margin(1e-6));
  // A predictor halfway to the mean keeps 3/4 of the variance explained.
  auto half = truth;
  for (auto& h : half)
    for (int d = 0; d < 5; ++d) h[d] = 0.5f * (h[d] + mean[d]);
  CHECK(r_squared(half, truth, 5) == Approx(0.75).epsilon(1e-5));
  for (double r : r_squared_per_dim(half, truth, 5)) CHECK(r == Approx(0.75).epsilon(1e-5));
  // Only the first `dims` entries count: extra entries of the prediction are ignored.
  auto longer = truth;
  for (auto& l : longer) l.push_back(100.0f);
  CHECK(r_squared(longer, truth, 5) == Approx(1.0));
  CHECK(tail_norm(longer, 5) == Approx(100.0));
}

TEST_CASE("rig error: 0 for a decoder that returns w·B, 1 for no motion, per shape", "[train][diagnostics]") {
  const auto basis = random_rows(4, 30, 2);
  CHECK(rig_error(basis, basis).overall == Approx(0.0));
  const RigError none = rig_error(std::vector<std::vector<float>>(4, std::vector<float>(30, 0.0f)), basis);
  CHECK(none.overall == Approx(1.0));
  // Doubling one shape: its error is ‖B_k‖², so its own ratio is 1 and the overall is its share.
  auto doubled = basis;
  for (float& x : doubled[2]) x *= 2.0f;
  const RigError r = rig_error(doubled, basis);
  double total = 0.0, two = 0.0;
  for (size_t k = 0; k < 4; ++k)
    for (float x : basis[k]) {
      total += double(x) * x;
      if (k == 2) two += double(x) * x;
    }
  CHECK(r.per_shape[2] == Approx(1.0));
  CHECK(r.per_shape[0] == Approx(0.0));
  CHECK(r.overall == Approx(two / total));
  // Every shape counted alike: one of four shapes wholly wrong is a quarter, whatever its size.
  CHECK(r.shape_mean == Approx(0.25));
  CHECK(none.shape_mean == Approx(1.0));
  // By name prefix: shapes 0 and 2 ("eye...") average 0.5; a prefix no shape has gives 0.
  const std::vector<std::string> names = {"eyeBlink_L", "jawOpen", "eyeWide_R", "mouthClose"};
  CHECK(shape_mean_with_prefix(r, names, "eye") == Approx(0.5));
  CHECK(shape_mean_with_prefix(r, names, "jaw") == Approx(0.0));
  CHECK(shape_mean_with_prefix(r, names, "nose") == 0.0);
}

TEST_CASE("vertex-space identity error and label accuracy", "[train][diagnostics]") {
  const auto w = random_rows(3, 4, 3);
  const auto b = random_rows(4, 12, 4);
  std::vector<float> basis;
  for (const auto& row : b) basis.insert(basis.end(), row.begin(), row.end());
  CHECK(vertex_space_error(w, w, basis, 4) == Approx(0.0));
  CHECK(vertex_space_error(std::vector<std::vector<float>>(3, std::vector<float>(4, 0.0f)), w, basis, 4) == Approx(1.0));
  // Scores [3 vertices × 2 labels]: the first two argmaxes match.
  CHECK(label_accuracy({0.9f, 0.1f, 0.2f, 0.8f, 0.7f, 0.3f}, {0, 1, 1}, 2) == Approx(2.0 / 3.0));
}

TEST_CASE("warps: identity leaves the delta, a scaling scales it, the evaluation warps are smooth and injective",
          "[train][diagnostics]") {
  const FaceAnchors a = face_anchors(ict());
  CHECK(a.eye_left.x() * a.eye_right.x() < 0.0);  // one eye on each side
  CHECK(a.nose_tip.z() > a.eye_left.z());
  CHECK(a.jaw.y() < a.eye_left.y());
  std::vector<float> n = ict().neutral, e = ict().shape({}, std::vector<float>(53, 0.3f));
  ict().to_canonical(n);
  ict().to_canonical(e);
  StyleWarp id;
  StyleWarp s;
  s.kind = StyleWarp::kScale;
  s.amount = 1.7;
  const auto n_id = id.apply(n), e_id = id.apply(e), n_s = s.apply(n), e_s = s.apply(e);
  for (size_t i = 0; i < n.size(); i += 97) {
    CHECK(e_id[i] - n_id[i] == Approx(e[i] - n[i]).margin(1e-6));
    CHECK(e_s[i] - n_s[i] == Approx(1.7 * (e[i] - n[i])).margin(1e-5));
  }
  // det of the warp's Jacobian (central differences) stays positive over the head.
  for (const StyleWarp& w : evaluation_warps(a)) {
    double min_det = 1e9, max_move = 0.0;
    for (int64_t v = 0; v < ict().num_vertices; v += 13) {
      const Eigen::Vector3d x(n[3 * v], n[3 * v + 1], n[3 * v + 2]);
      Eigen::Matrix3d J;
      for (int c = 0; c < 3; ++c) {
        Eigen::Vector3d h = Eigen::Vector3d::Zero();
        h[c] = 1e-4;
        J.col(c) = (w.apply(Eigen::Vector3d(x + h)) - w.apply(Eigen::Vector3d(x - h))) / 2e-4;
      }
      min_det = std::min(min_det, J.determinant());
      max_move = std::max(max_move, (w.apply(x) - x).norm());
    }
    INFO(w.name);
    CHECK(min_det > 0.2);
    CHECK(max_move > 0.015 * a.head_height);  // it does change the proportions
  }
}

TEST_CASE("closest-point transfer copies deltas exactly onto the source's own vertices and maps them back",
          "[train][diagnostics]") {
  std::vector<float> n = ict().neutral;
  ict().to_canonical(n);
  const Eigen::MatrixXd V = points_matrix(n);
  const Eigen::MatrixXi F = triangles_matrix(ict().triangles());
  const ClosestPointTransfer cp(V, F);
  const int k = ict().expression_index("jawOpen");
  std::vector<float> d(ict().expression_deltas.begin() + k * n.size(), ict().expression_deltas.begin() + (k + 1) * n.size());
  Similarity to_user;
  to_user.s = 2.0;
  const auto out = cp.transfer({d}, V, to_user);
  double err = 0.0, ref = 0.0;
  for (size_t i = 0; i < d.size(); ++i) {
    err += std::pow(out[0][i] - 2.0 * d[i], 2);
    ref += std::pow(2.0 * d[i], 2);
  }
  CHECK(err <= 1e-10 * ref);
}

TEST_CASE("the closest-point baseline is nearly exact on a self target (rig error < 0.05)", "[train][diagnostics]") {
  // A test-like identity as its own source: its neutral carries the ICT deltas (they do not depend
  // on the identity), the target is canonical already (--align none).
  std::vector<float> w_id(100, 0.0f);
  std::mt19937_64 rng(5);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (float& x : w_id) x = g(rng);
  std::vector<float> target = ict().shape(w_id, {});
  ict().to_canonical(target);
  const Eigen::MatrixXi F = triangles_matrix(ict().triangles());
  const ClosestPointTransfer cp(points_matrix(target), F);
  Similarity to_canonical, to_user;
  const Eigen::MatrixXd V = points_matrix(target);
  AlignOptions none;
  none.mode = AlignMode::kNone;
  align_to_canonical(ict_align_reference(ict()), V, F, none, to_canonical, to_user);
  std::vector<std::vector<float>> basis;
  const size_t n3 = target.size();
  for (int e = 0; e < 53; ++e) {
    basis.emplace_back(ict().expression_deltas.begin() + e * n3, ict().expression_deltas.begin() + (e + 1) * n3);
    for (float& x : basis.back()) x *= kIctToCanonicalScale;
  }
  const RigError r = rig_error(cp.transfer(basis, to_canonical.apply(V), to_user), basis);
  INFO("rig error " << r.overall);
  CHECK(r.overall < 0.05);
}
