#include "geometry/block_lanczos.h"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "geometry/parallel_for.h"

namespace nfs::geo {
namespace {

constexpr int64_t kRowsPerThread = 2048;

// H (c1 − c0 by b, row-major) = Q[:, c0:c1]ᵀ W, then W −= Q[:, c0:c1] H. Q row-major n by ldq,
// W row-major n by b. Rows are split over threads. B is b when it is a compile-time block size
// (the loops over t then live in registers), 0 otherwise.
template <int B>
void project_out_impl(const RowMatrixXd& Q, Eigen::Index c0, Eigen::Index c1, RowMatrixXd& W,
                      RowMatrixXd& H) {
  const int64_t n = Q.rows(), ldq = Q.cols(), nc = c1 - c0;
  const int64_t b = B > 0 ? B : W.cols();
  const int parts = parallel_parts(n, kRowsPerThread);
  std::vector<RowMatrixXd> partial(parts, RowMatrixXd::Zero(nc, b));
  parallel_for(n, kRowsPerThread, [&](int part, int64_t r0, int64_t r1) {
    double* h = partial[part].data();
    int64_t i = r0;
    for (; i + 4 <= r1; i += 4) {  // four rows per pass over H
      const double* q = Q.data() + i * ldq + c0;
      const double* w = W.data() + i * b;
      for (int64_t j = 0; j < nc; ++j) {
        const double a0 = q[j], a1 = q[ldq + j], a2 = q[2 * ldq + j], a3 = q[3 * ldq + j];
        double* hj = h + j * b;
        for (int64_t t = 0; t < b; ++t)
          hj[t] += a0 * w[t] + a1 * w[b + t] + a2 * w[2 * b + t] + a3 * w[3 * b + t];
      }
    }
    for (; i < r1; ++i) {
      const double* q = Q.data() + i * ldq + c0;
      const double* w = W.data() + i * b;
      for (int64_t j = 0; j < nc; ++j)
        for (int64_t t = 0; t < b; ++t) h[j * b + t] += q[j] * w[t];
    }
  });
  H = partial[0];
  for (int p = 1; p < parts; ++p) H += partial[p];
  // W −= Q H: Eigen's kernel does well on this shape (not on the one above).
  parallel_for(n, kRowsPerThread, [&](int, int64_t r0, int64_t r1) {
    W.middleRows(r0, r1 - r0).noalias() -= Q.block(r0, c0, r1 - r0, nc) * H;
  });
}

void project_out(const RowMatrixXd& Q, Eigen::Index c0, Eigen::Index c1, RowMatrixXd& W,
                 RowMatrixXd& H) {
  switch (W.cols()) {
    case 4:
      return project_out_impl<4>(Q, c0, c1, W, H);
    case 8:
      return project_out_impl<8>(Q, c0, c1, W, H);
    case 16:
      return project_out_impl<16>(Q, c0, c1, W, H);
    default:
      return project_out_impl<0>(Q, c0, c1, W, H);
  }
}

// Orthonormalizes W (n by b) into Q[:, c:c+b] with W = Q[:, c:c+b] R. A column that is (nearly)
// dependent (the Krylov space closed on an invariant subspace) is replaced by a random vector
// orthogonal to Q[:, 0:c+b], with a zero row in R.
void orthonormalize(RowMatrixXd& W, RowMatrixXd& Q, Eigen::Index c, Eigen::MatrixXd& R,
                    std::mt19937_64& rng) {
  const Eigen::Index n = W.rows(), b = W.cols();
  const double scale = std::max(W.norm(), 1e-300);
  Eigen::MatrixXd Wc = W;
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(Wc);
  R = qr.matrixQR().topRows(b).triangularView<Eigen::Upper>();
  Eigen::MatrixXd thin = qr.householderQ() * Eigen::MatrixXd::Identity(n, b);
  Q.middleCols(c, b) = thin;
  std::normal_distribution<double> normal;
  for (Eigen::Index j = 0; j < b; ++j) {
    if (std::abs(R(j, j)) > 1e-12 * scale) continue;
    RowMatrixXd v(n, 1), H;
    for (Eigen::Index i = 0; i < n; ++i) v(i, 0) = normal(rng);
    for (int pass = 0; pass < 2; ++pass) {
      project_out(Q, 0, c + j, v, H);  // previous blocks and earlier columns of this block
      if (j + 1 < b) {                 // later columns of this block
        const Eigen::VectorXd later = Q.middleCols(c + j + 1, b - j - 1).transpose() * v.col(0);
        v.col(0) -= Q.middleCols(c + j + 1, b - j - 1) * later;
      }
    }
    Q.col(c + j) = v.col(0) / v.norm();
    R.row(j).setZero();
  }
}

}  // namespace

bool block_lanczos_largest(const BlockOperator& op, Eigen::Index n, int k,
                           const BlockLanczosOptions& options, Eigen::VectorXd& theta,
                           Eigen::MatrixXd& vectors) {
  const Eigen::Index b = options.block;
  Eigen::Index cap = options.max_basis > 0 ? options.max_basis : 8 * k + 8 * b;
  if (b < 1) return false;
  cap = std::min(cap, n - b) / b * b;  // Q holds cap + b ≤ n orthonormal columns
  if (k < 1 || cap < k + b) return false;

  RowMatrixXd Q(n, cap + b);
  Eigen::MatrixXd T = Eigen::MatrixXd::Zero(cap + b, cap + b);
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> normal;
  RowMatrixXd W(n, b), X(n, b), Hloc, Hfull;
  for (Eigen::Index i = 0; i < W.size(); ++i) W.data()[i] = normal(rng);
  Eigen::MatrixXd R;
  orthonormalize(W, Q, 0, R, rng);

  // Ritz values are checked (values only: cheap) from 1.5k columns on, every m/16 columns or so;
  // once the top k stop moving, the full decomposition gives residuals, and the residuals' rate
  // of decrease predicts the next check.
  Eigen::Index next_check = std::max<Eigen::Index>(3 * k / 2, k + b);
  Eigen::VectorXd previous;
  Eigen::Index last_full_m = 0;
  double last_full_res = 0;
  for (Eigen::Index c = 0;; c += b) {
    X = Q.middleCols(c, b);
    op(X, W);
    // Three-term recurrence first (the previous and current blocks), then one full pass against
    // the whole basis removes what rounding left: Q stays orthonormal to working precision.
    const Eigen::Index l0 = std::max<Eigen::Index>(0, c - b);
    project_out(Q, l0, c + b, W, Hloc);
    project_out(Q, 0, c + b, W, Hfull);
    Hfull.middleRows(l0, c + b - l0) += Hloc;
    const Eigen::Index m = c + b;  // basis size of this Ritz problem
    T.block(0, c, m, b) = Hfull;
    T.block(c, 0, b, m) = Hfull.transpose();
    orthonormalize(W, Q, m, R, rng);
    T.block(m, c, b, b) = R;
    T.block(c, m, b, b) = R.transpose();
    const bool last = m + b > cap;  // the basis is full: check once more, then give up
    if (m < next_check && !last) continue;
    next_check = m + std::max<Eigen::Index>(b, (m / 16 + b - 1) / b * b);

    const Eigen::MatrixXd Tm = T.topLeftCorner(m, m);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> values(Tm, Eigen::EigenvaluesOnly);
    const Eigen::VectorXd top = values.eigenvalues().tail(k);
    // Settled: the top k moved less than their tolerance (or round-off, relative to the largest).
    const double floor = 1e3 * std::numeric_limits<double>::epsilon() * top.cwiseAbs().maxCoeff();
    const bool settled =
        previous.size() == k &&
        ((top - previous).cwiseAbs().array() <= 1e-3 * options.tol * top.cwiseAbs().array() + floor)
            .all();
    previous = top;
    if (!settled && !last) continue;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Tm);
    const Eigen::MatrixXd Y = es.eigenvectors().rightCols(k);  // ascending
    // Op Q_m = Q_m T_m + Q_{m+1} R E_mᵀ, so the residual of (θ, Q_m y) is ‖R y[c:m]‖.
    const Eigen::MatrixXd res = R * Y.bottomRows(b);
    double worst = 0;
    for (int i = 0; i < k; ++i)
      worst = std::max(worst, res.col(i).norm() / std::abs(es.eigenvalues()(m - k + i)));
    if (worst > options.tol) {
      if (last) return false;
      if (last_full_m > 0 && worst < last_full_res) {  // geometric decrease: predict
        const double per_column = std::log(worst / last_full_res) / double(m - last_full_m);
        const double needed = std::log(options.tol / worst) / per_column;
        next_check =
            m + std::clamp<Eigen::Index>(
                    (static_cast<Eigen::Index>(std::ceil(needed)) + b - 1) / b * b, b, 4 * b);
      } else {
        next_check = m + b;
      }
      last_full_m = m;
      last_full_res = worst;
      continue;
    }

    theta.resize(k);
    vectors.resize(n, k);
    Eigen::MatrixXd Yd(m, k);
    for (int i = 0; i < k; ++i) {  // descending
      theta(i) = es.eigenvalues()(m - 1 - i);
      Yd.col(i) = Y.col(k - 1 - i);
    }
    parallel_for(n, kRowsPerThread, [&](int, int64_t r0, int64_t r1) {
      vectors.middleRows(r0, r1 - r0).noalias() = Q.block(r0, 0, r1 - r0, m) * Yd;
    });
    return true;
  }
}

}  // namespace nfs::geo
