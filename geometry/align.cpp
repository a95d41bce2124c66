#include "geometry/align.h"

#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "geometry/canonical.h"
#include "geometry/splitmix64.h"

namespace nfs {

namespace {


// Points spread over the surface by area (stratified, fixed seed), so that a mesh dense in one
// place does not outweigh the rest; the vertices themselves when there are no faces.
Eigen::MatrixXd sample_surface(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int n) {
  if (F.rows() == 0) {
    const int count = int(std::min<Eigen::Index>(n, V.rows()));
    Eigen::MatrixXd P(count, 3);
    for (int i = 0; i < count; ++i) P.row(i) = V.row(Eigen::Index(double(i) * V.rows() / count));
    return P;
  }
  std::vector<double> cum(F.rows() + 1, 0.0);
  for (int f = 0; f < F.rows(); ++f) {
    const Eigen::Vector3d a = V.row(F(f, 0)), b = V.row(F(f, 1)), c = V.row(F(f, 2));
    cum[f + 1] = cum[f] + 0.5 * (b - a).cross(c - a).norm();
  }
  if (!(cum.back() > 0)) return sample_surface(V, Eigen::MatrixXi(0, 3), n);
  SplitMix64 rng{0x1234567ull};
  Eigen::MatrixXd P(n, 3);
  for (int i = 0; i < n; ++i) {
    const double u = (i + rng.uniform()) / n * cum.back();
    int f = int(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin()) - 1;
    f = std::clamp(f, 0, int(F.rows()) - 1);
    double r1 = std::sqrt(rng.uniform()), r2 = rng.uniform();
    P.row(i) =
        (1 - r1) * V.row(F(f, 0)) + r1 * (1 - r2) * V.row(F(f, 1)) + r1 * r2 * V.row(F(f, 2));
  }
  return P;
}

}  // namespace

Similarity Similarity::inverse() const {
  Similarity inv;
  inv.s = 1.0 / s;
  inv.R = R.transpose();
  inv.t = -inv.s * (inv.R * t);
  return inv;
}

Eigen::MatrixXd Similarity::apply(const Eigen::MatrixXd& X) const {
  if (X.cols() != 3) throw std::invalid_argument("Similarity::apply: X must be #X by 3");
  return (s * (X * R.transpose())).rowwise() + t.transpose();
}

Similarity Similarity::compose(const Similarity& o) const {
  Similarity c;
  c.s = s * o.s;
  c.R = R * o.R;
  c.t = s * (R * o.t) + t;
  return c;
}

Similarity umeyama_similarity(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                              double fixed_scale) {
  if (X.rows() != Y.rows() || X.cols() != 3 || Y.cols() != 3 || X.rows() < 1)
    throw std::invalid_argument("umeyama_similarity: X and Y must both be #n by 3, n >= 1");
  const double n = double(X.rows());
  const Eigen::RowVector3d mx = X.colwise().mean(), my = Y.colwise().mean();
  const Eigen::MatrixXd Xc = X.rowwise() - mx, Yc = Y.rowwise() - my;
  const Eigen::Matrix3d cov = Yc.transpose() * Xc / n;  // Σ y x^T
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(cov, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Vector3d d(1, 1, 1);
  if (svd.matrixU().determinant() * svd.matrixV().determinant() < 0) d(2) = -1;  // no mirror
  Similarity T;
  T.R = svd.matrixU() * d.asDiagonal() * svd.matrixV().transpose();
  const double var_x = Xc.squaredNorm() / n;
  if (fixed_scale > 0)
    T.s = fixed_scale;
  else
    T.s = var_x > 0 ? svd.singularValues().dot(d) / var_x : 1.0;
  T.t = my.transpose() - T.s * (T.R * mx.transpose());
  return T;
}

AlignReference::AlignReference(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F) {
  if (V.cols() != 3 || V.rows() < kIctHeadRegionEnd)
    throw std::invalid_argument("AlignReference: V must be the ICT neutral, at least 11248 by 3");
  if (F.rows() > 0 && F.maxCoeff() >= kIctHeadRegionEnd)
    throw std::invalid_argument("AlignReference: F must index the head region [0, 11248)");
  tree_.build(V.topRows(kIctHeadRegionEnd), F);
  normals_.resize(F.rows(), 3);
  for (int f = 0; f < F.rows(); ++f) {
    const Eigen::Vector3d a = V.row(F(f, 0)), b = V.row(F(f, 1)), c = V.row(F(f, 2));
    const Eigen::Vector3d n = (b - a).cross(c - a);
    normals_.row(f) =
        n.norm() > 0 ? Eigen::RowVector3d(n.normalized().transpose()) : Eigen::RowVector3d::Zero();
  }
  const int64_t ends[3] = {kIctHeadRegionEnd, kIctFaceRegionEnd, kIctNarrowFaceEnd};
  for (int r = 0; r < 3; ++r) {
    boxes_[r].setEmpty();
    for (int64_t i = 0; i < ends[r]; ++i) boxes_[r].extend(Eigen::Vector3d(V.row(i).transpose()));
  }
  std::vector<int> narrow;
  for (int f = 0; f < F.rows(); ++f)
    if (F.row(f).maxCoeff() < kIctNarrowFaceEnd)
      narrow.insert(narrow.end(), {F(f, 0), F(f, 1), F(f, 2)});
  Eigen::MatrixXi Fn = Eigen::Map<const Eigen::Matrix<int, Eigen::Dynamic, 3, Eigen::RowMajor>>(
      narrow.data(), Eigen::Index(narrow.size() / 3), 3);
  narrow_samples_ = Fn.rows() > 0 ? sample_surface(V.topRows(kIctHeadRegionEnd), Fn, 600)
                                  : Eigen::MatrixXd(V.topRows(kIctNarrowFaceEnd));
}

namespace {

struct IcpResult {
  Similarity T;
  double trimmed_rms = 0;
  int iterations = 0;
};

// One point-to-plane Gauss-Newton step: the similarity update U (applied after T) minimizing
// Σ (n_i · (U(q_i) − y_i))² over the kept matches, linearized about their centroid c:
// U(q) ≈ q + ω × (q − c) + σ (q − c) + τ. With a fixed scale σ = 0.
Similarity point_to_plane_step(const Eigen::MatrixXd& Q, const Eigen::MatrixXd& Y,
                               const Eigen::MatrixXd& N, const std::vector<int>& kept,
                               bool fit_scale) {
  Eigen::Vector3d c = Eigen::Vector3d::Zero();
  for (int i : kept) c += Q.row(i).transpose();
  c /= double(kept.size());
  const int np = fit_scale ? 7 : 6;
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(np, np);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(np);
  double scale2 = 0;
  for (int i : kept) scale2 += (Q.row(i).transpose() - c).squaredNorm();
  scale2 /= double(kept.size());
  for (int i : kept) {
    const Eigen::Vector3d q = Q.row(i).transpose() - c, n = N.row(i).transpose();
    Eigen::VectorXd j(np);
    j.head<3>() = q.cross(n);
    j.segment<3>(3) = n;
    if (fit_scale) j(6) = n.dot(q);
    const double r = n.dot(Q.row(i).transpose() - Y.row(i).transpose());
    A += j * j.transpose();
    b -= j * r;
  }
  // A whisker of damping keeps a flat patch's sliding directions from blowing up.
  for (int k = 0; k < np; ++k) A(k, k) += 1e-9 * (k < 3 || k == 6 ? scale2 : 1.0) * kept.size();
  const Eigen::VectorXd x = A.ldlt().solve(b);
  const Eigen::Vector3d w = x.head<3>(), tau = x.segment<3>(3);
  Similarity U;
  U.s = fit_scale ? 1.0 + x(6) : 1.0;
  const double angle = w.norm();
  U.R = angle > 0 ? Eigen::AngleAxisd(angle, w / angle).toRotationMatrix()
                  : Eigen::Matrix3d::Identity();
  U.t = c + tau - U.s * (U.R * c);
  return U;
}

// Trimmed similarity ICP from T: each iteration matches every sample to its closest point on
// the reference, keeps the best (1 - trim) of the matches and refits T: point-to-point
// (Umeyama) for the first `point_to_point` iterations, point-to-plane after.
IcpResult trimmed_icp(const AlignReference& ref, const Eigen::MatrixXd& P, Similarity T,
                      const AlignOptions& options, int point_to_point, int max_iterations) {
  const int n = int(P.rows());
  const int keep = std::max(3, int(std::ceil((1.0 - options.trim) * n)));
  std::vector<int> hint(n, -1), order(n), kept(keep);
  Eigen::MatrixXd Q(n, 3), Y(n, 3), N(n, 3), Xk(keep, 3), Yk(keep, 3);
  Eigen::VectorXd d(n);
  const Eigen::Vector3d lo = P.colwise().minCoeff(), hi = P.colwise().maxCoeff();
  const double tol = 1e-7 * ref.head_height();
  auto match = [&](const Similarity& S) {
    Q = S.apply(P);
    for (int i = 0; i < n; ++i) {
      const ClosestPointHit h =
          ref.tree().query(Q.row(i).transpose(), std::numeric_limits<double>::infinity(), hint[i]);
      hint[i] = h.face;
      Y.row(i) = h.point.transpose();
      N.row(i) = ref.face_normal(h.face).transpose();
      d(i) = h.sqr_distance;
    }
    for (int i = 0; i < n; ++i) order[i] = i;
    std::nth_element(order.begin(), order.begin() + (keep - 1), order.end(),
                     [&](int a, int b) { return d(a) != d(b) ? d(a) < d(b) : a < b; });
    std::copy(order.begin(), order.begin() + keep, kept.begin());
  };
  // The scale stays within [1/2, 2] of the start's: trimmed ICP can otherwise shrink a mesh into
  // a fold of the reference (an ear) where most of its points find a surface nearby.
  const double s_lo = 0.5 * T.s, s_hi = 2.0 * T.s;
  const bool fit_scale = !(options.scale > 0);
  IcpResult r;
  for (r.iterations = 0; r.iterations < max_iterations;) {
    match(T);
    Similarity next;
    if (r.iterations < point_to_point) {
      for (int j = 0; j < keep; ++j) {
        Xk.row(j) = P.row(kept[j]);
        Yk.row(j) = Y.row(kept[j]);
      }
      next = umeyama_similarity(Xk, Yk, options.scale);
      if (next.s < s_lo || next.s > s_hi)
        next = umeyama_similarity(Xk, Yk, std::clamp(next.s, s_lo, s_hi));
    } else {
      next = point_to_plane_step(Q, Y, N, kept, fit_scale).compose(T);
      if (next.s < s_lo || next.s > s_hi)
        next = point_to_plane_step(Q, Y, N, kept, false).compose(T);
    }
    ++r.iterations;
    // How far the new transform moves the corners of the samples' box.
    double change = 0;
    for (int c = 0; c < 8; ++c) {
      const Eigen::Vector3d x((c & 1) ? hi(0) : lo(0), (c & 2) ? hi(1) : lo(1),
                              (c & 4) ? hi(2) : lo(2));
      change = std::max(change, (next.apply_point(x) - T.apply_point(x)).norm());
    }
    T = next;
    if (change < tol) break;
  }
  match(T);
  double sum = 0;
  for (int i : kept) sum += d(i);
  r.T = T;
  r.trimmed_rms = std::sqrt(sum / keep);
  return r;
}

// Trimmed RMS distance (canonical units) from reference points R to the user's surface under
// T (user → canonical).
double coverage_rms(const Eigen::MatrixXd& R, const ClosestPointTree& user_tree,
                    const Similarity& T, double trim) {
  const Similarity inv = T.inverse();
  std::vector<double> d(R.rows());
  for (int i = 0; i < R.rows(); ++i)
    d[i] = user_tree.query(inv.apply_point(R.row(i).transpose())).sqr_distance * T.s * T.s;
  const int keep = std::max(1, int(std::ceil((1.0 - trim) * d.size())));
  std::nth_element(d.begin(), d.begin() + (keep - 1), d.end());
  double sum = 0;
  for (int i = 0; i < keep; ++i) sum += d[i];
  return std::sqrt(sum / keep);
}

}  // namespace

void align_to_canonical(const AlignReference& ref, const Eigen::MatrixXd& V,
                        const Eigen::MatrixXi& F, const AlignOptions& options,
                        Similarity& to_canonical, Similarity& to_user, AlignReport* report) {
  if (V.cols() != 3 || V.rows() < 3)
    throw std::invalid_argument("align: need at least 3 vertices, #V by 3");
  if (!V.allFinite()) throw std::invalid_argument("align: non-finite vertex coordinate");
  if (F.rows() > 0 && (F.cols() != 3 || F.minCoeff() < 0 || F.maxCoeff() >= V.rows()))
    throw std::invalid_argument("align: face index out of range");
  if (!(options.trim >= 0 && options.trim <= 0.9))
    throw std::invalid_argument("align: trim must lie in [0, 0.9]");
  if (options.offset && !options.offset->allFinite())
    throw std::invalid_argument("align: non-finite offset");
  if (!(options.scale >= 0) || !std::isfinite(options.scale))
    throw std::invalid_argument("align: scale must be finite and >= 0 (0: estimate it)");
  AlignReport rep;
  if (options.mode == AlignMode::kNone) {
    to_canonical = Similarity();
    to_user = Similarity();
    if (report) *report = rep;
    return;
  }
  // Rotation taking the user's up to +Y and forward to +Z.
  if (!(options.up.norm() > 0) || !options.up.allFinite())
    throw std::invalid_argument("align: up axis must be a non-zero vector");
  const Eigen::Vector3d up = options.up.normalized();
  const Eigen::Vector3d fwd_raw = options.forward - options.forward.dot(up) * up;
  if (!(fwd_raw.norm() > 1e-6 * std::max(1.0, options.forward.norm())) || !fwd_raw.allFinite())
    throw std::invalid_argument("align: forward axis must be non-zero and not parallel to up");
  const Eigen::Vector3d fwd = fwd_raw.normalized();
  Similarity R0;
  R0.R.row(0) = up.cross(fwd).transpose();
  R0.R.row(1) = up.transpose();
  R0.R.row(2) = fwd.transpose();

  // Bounding box of the upright mesh (of the vertices that faces use, if there are faces).
  Eigen::AlignedBox3d box;
  if (F.rows() > 0) {
    for (int i = 0; i < F.size(); ++i)
      box.extend(Eigen::Vector3d(R0.R * V.row(F.data()[i]).transpose()));
  } else {
    for (int i = 0; i < V.rows(); ++i) box.extend(Eigen::Vector3d(R0.R * V.row(i).transpose()));
  }
  const double height = box.sizes()(1);
  if (!(height > 0))
    throw std::invalid_argument("align: the mesh has zero height along its up axis");

  // Starts: the box onto each region's box, matching centre and height; and matching width
  // instead, with the tops level (a long neck or a beard stretches the height, not the width).
  const Eigen::AlignedBox3d* regions[3] = {&ref.head_box(), &ref.face_box(), &ref.narrow_box()};
  const bool refine = options.mode == AlignMode::kAuto && !options.offset;
  std::vector<Similarity> starts;
  for (int kind = 0; kind < (refine ? 2 : 1); ++kind)
    for (int r = 0; r < (refine ? 3 : 1); ++r) {
      const Eigen::AlignedBox3d& B = *regions[r];
      Similarity T = R0;
      if (options.scale > 0)
        T.s = options.scale;
      else if (kind == 0 || !(box.sizes()(0) > 0))
        T.s = B.sizes()(1) / height;
      else
        T.s = B.sizes()(0) / box.sizes()(0);
      Eigen::Vector3d anchor = B.center() - T.s * box.center();
      if (kind == 1) anchor(1) = B.max()(1) - T.s * box.max()(1);
      T.t = options.offset ? *options.offset : anchor;
      starts.push_back(T);
    }
  Similarity best = starts[0];
  if (refine) {
    // Every start for a few iterations on a fifth of the samples, then the best one refined on
    // all of them.
    constexpr int kCoarseIterations = 20;
    const int n = std::max(options.samples, 64);
    const Eigen::MatrixXd P = sample_surface(V, F, n);
    Eigen::MatrixXd coarse(n / 5, 3);
    for (int i = 0; i < n / 5; ++i) coarse.row(i) = P.row(5 * i);
    // The user's surface (its vertices as points when it has no faces), to measure the way back.
    Eigen::MatrixXi points(V.rows(), 3);
    for (int i = 0; i < V.rows(); ++i) points.row(i).setConstant(i);
    const ClosestPointTree user_tree(V, F.rows() > 0 ? F : points);
    double best_score = std::numeric_limits<double>::infinity();
    for (int r = 0; r < int(starts.size()); ++r) {
      const IcpResult icp = trimmed_icp(ref, coarse, starts[r], options, 8, kCoarseIterations);
      // Both ways: the mesh onto the ICT surface (ICP's residual) and the ICT narrow face onto
      // the mesh, which every right answer covers; both trimmed, in canonical units.
      const double score =
          icp.trimmed_rms + coverage_rms(ref.narrow_samples(), user_tree, icp.T, options.trim);
      if (score < best_score) {
        best_score = score;
        best = icp.T;
        rep.start = r;
      }
    }
    const IcpResult icp = trimmed_icp(ref, P, best, options, 0, options.max_iterations);
    best = icp.T;
    rep.trimmed_rms = icp.trimmed_rms;
    rep.iterations = icp.iterations;
  }
  to_canonical = best;
  to_user = best.inverse();
  if (report) *report = rep;
}

}  // namespace nfs
