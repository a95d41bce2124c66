#include "geometry/laplacian_eigs.h"

#include <Spectra/SymEigsSolver.h>

#include <Eigen/Eigenvalues>
#include <Eigen/SparseCholesky>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "geometry/block_lanczos.h"
#include "geometry/parallel_for.h"

namespace nfs::geo {
namespace {

using SpMat = Eigen::SparseMatrix<double>;

// Meshes up to this many vertices are solved with a dense eigensolver (fast enough, and Krylov
// methods need n well above their search space).
constexpr Eigen::Index kDenseMaxVertices = 500;

// X := (F Fᵀ)⁻¹ X for the Cholesky factor F (lower, column-compressed, diagonal first in each
// column) and X row-major n by b: every factor entry is read once per b right-hand sides (Eigen's
// solve walks the factor once per column).
void cholesky_block_solve(const SpMat& F, RowMatrixXd& X) {
  const int64_t n = F.rows(), b = X.cols();
  const int* outer = F.outerIndexPtr();
  const int* inner = F.innerIndexPtr();
  const double* val = F.valuePtr();
  double* x = X.data();
  for (int64_t j = 0; j < n; ++j) {  // F y = x
    double* xj = x + j * b;
    const double d = 1.0 / val[outer[j]];
    for (int64_t t = 0; t < b; ++t) xj[t] *= d;
    for (int p = outer[j] + 1; p < outer[j + 1]; ++p) {
      double* xi = x + static_cast<int64_t>(inner[p]) * b;
      const double l = val[p];
      for (int64_t t = 0; t < b; ++t) xi[t] -= l * xj[t];
    }
  }
  for (int64_t j = n - 1; j >= 0; --j) {  // Fᵀ x = y
    double* xj = x + j * b;
    for (int p = outer[j] + 1; p < outer[j + 1]; ++p) {
      const double* xi = x + static_cast<int64_t>(inner[p]) * b;
      const double l = val[p];
      for (int64_t t = 0; t < b; ++t) xj[t] -= l * xi[t];
    }
    const double d = 1.0 / val[outer[j]];
    for (int64_t t = 0; t < b; ++t) xj[t] *= d;
  }
}

// The operator Op = M^½ (L + ε I + σ M)⁻¹ M^½, whose eigenpairs are ν = 1/(λ + σ), ψ = M^½ φ for
// the pairs (λ, φ) of (L + ε I) φ = λ M φ. σ > 0 (about 1% of the first non-zero eigenvalue)
// bounds ν for the near-zero eigenvalues (ε / the mass of tiny components: ν up to 1e5 with σ = 0
// on the ICT head), so rounding in Op, relative to its largest eigenvalue, does not swamp the
// wanted pairs; the eigenpairs are unchanged.
class ShiftInvert {
 public:
  using Scalar = double;  // for Spectra
  ShiftInvert(const SpMat& L, const Eigen::VectorXd& M, double eps, double sigma)
      : sqrt_m_(M.cwiseSqrt()), tmp_(M.size()) {
    SpMat D(L.rows(), L.cols());  // added as a matrix: L's pattern may lack diagonal entries
    D.reserve(Eigen::VectorXi::Ones(L.cols()));
    for (Eigen::Index i = 0; i < L.rows(); ++i) D.insert(i, i) = eps + sigma * M(i);
    llt_.compute(L + D);
  }
  bool ok() const { return llt_.info() == Eigen::Success; }
  Eigen::Index rows() const { return sqrt_m_.size(); }
  Eigen::Index cols() const { return sqrt_m_.size(); }

  // One vector (Spectra's interface).
  void perform_op(const double* x_in, double* y_out) const {
    const Eigen::Index n = rows();
    tmp_ = sqrt_m_.cwiseProduct(Eigen::Map<const Eigen::VectorXd>(x_in, n));
    Eigen::Map<Eigen::VectorXd> y(y_out, n);
    y = llt_.solve(tmp_);
    y.array() *= sqrt_m_.array();
  }
  // A block of vectors (block Lanczos). The columns are split over threads, each solving its own
  // contiguous copy (sharing rows would make the threads fight over cache lines).
  void apply(const RowMatrixXd& X, RowMatrixXd& Y) const {
    const Eigen::Index n = rows(), b = X.cols();
    const int* perm = llt_.permutationP().indices().data();  // (P x)[perm[i]] = x[i]
    const int parts = static_cast<int>(std::min<Eigen::Index>(num_threads(), b));
    parts_.resize(parts);
    Y.resize(n, b);
    parallel_for(b, (b + parts - 1) / parts, [&](int part, int64_t t0, int64_t t1) {
      RowMatrixXd& Z = parts_[part];
      const int64_t w = t1 - t0;
      Z.resize(n, w);
      for (Eigen::Index i = 0; i < n; ++i) {
        const double* x = X.data() + i * b + t0;
        double* z = Z.data() + static_cast<int64_t>(perm[i]) * w;
        for (int64_t t = 0; t < w; ++t) z[t] = sqrt_m_(i) * x[t];
      }
      cholesky_block_solve(llt_.matrixL().nestedExpression(), Z);
      for (Eigen::Index i = 0; i < n; ++i) {
        const double* z = Z.data() + static_cast<int64_t>(perm[i]) * w;
        double* y = Y.data() + i * b + t0;
        for (int64_t t = 0; t < w; ++t) y[t] = sqrt_m_(i) * z[t];
      }
    });
  }

 private:
  Eigen::SimplicialLLT<SpMat> llt_;
  Eigen::VectorXd sqrt_m_;
  mutable Eigen::VectorXd tmp_;
  mutable std::vector<RowMatrixXd> parts_;
};

// Eigenpairs (ascending) of C = M^-½ (L + ε I) M^-½, densely.
void dense_eigs(const SpMat& L, const Eigen::VectorXd& M, double eps, int k,
                Eigen::VectorXd& lambda, Eigen::MatrixXd& psi) {
  const Eigen::VectorXd s = M.cwiseSqrt().cwiseInverse();
  Eigen::MatrixXd C = Eigen::MatrixXd(L);
  C.diagonal().array() += eps;
  C = s.asDiagonal() * C * s.asDiagonal();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(C);
  if (es.info() != Eigen::Success) throw std::runtime_error("dense eigensolver failed");
  lambda = es.eigenvalues().head(k);
  psi = es.eigenvectors().leftCols(k);
}

// Krylov paths: false where this attempt did not converge (the caller retries).
// Block Lanczos runs on Op² (eigenvalues ν²): squaring doubles the relative gaps at the wanted
// end of the spectrum, so the basis needs about 1/√2 as many columns (320 instead of 416 on the
// ICT head surface, K = 128) for two solves per step instead of one; the basis's
// reorthogonalization (∝ columns²) dominates the cost, so this saves about a quarter of the time.
bool block_lanczos_eigs(const ShiftInvert& op, double sigma, int k, Eigen::VectorXd& lambda,
                        Eigen::MatrixXd& psi) {
  RowMatrixXd half;
  const BlockOperator op_squared = [&](const RowMatrixXd& X, RowMatrixXd& Y) {
    op.apply(X, half);
    op.apply(half, Y);
  };
  Eigen::VectorXd nu2;
  if (!block_lanczos_largest(op_squared, op.rows(), k, BlockLanczosOptions(), nu2, psi))
    return false;
  lambda = nu2.cwiseSqrt().cwiseInverse().array() - sigma;  // largest ν first = smallest λ first
  return true;
}

// Spectra's restarted single-vector Lanczos on the same operator: the fallback.
bool spectra_eigs(ShiftInvert& op, double sigma, int k, int ncv, Eigen::VectorXd& lambda,
                  Eigen::MatrixXd& psi) {
  Spectra::SymEigsSolver<ShiftInvert> solver(op, k, std::min<Eigen::Index>(ncv, op.rows()));
  solver.init();
  solver.compute(Spectra::SortRule::LargestAlge, 1000, 1e-10);
  if (solver.info() != Spectra::CompInfo::Successful) return false;
  lambda = solver.eigenvalues().cwiseInverse().array() - sigma;  // descending ν
  psi = solver.eigenvectors();
  return true;
}

}  // namespace

void laplacian_eigs(const SpMat& L, const Eigen::VectorXd& M, int k, Eigen::VectorXd& evals,
                    Eigen::MatrixXd& evecs, EigsSolver solver) {
  const Eigen::Index n = L.rows();
  if (L.cols() != n || M.size() != n)
    throw std::invalid_argument("laplacian_eigs: L is " + std::to_string(L.rows()) + "x" +
                                std::to_string(L.cols()) + ", M has " + std::to_string(M.size()) +
                                " entries");
  if (k < 0) throw std::invalid_argument("laplacian_eigs: negative k");
  if (n == 0 || !(M.array() > 0).all())
    throw std::invalid_argument("laplacian_eigs: masses must be positive");
  const int kk = static_cast<int>(std::min<Eigen::Index>(k, n));  // pairs that exist

  Eigen::VectorXd lambda;
  Eigen::MatrixXd psi;
  const bool too_small = 2 * static_cast<Eigen::Index>(kk) + 10 >= n;
  const bool dense = too_small || solver == EigsSolver::Dense ||
                     (solver == EigsSolver::Auto && n <= kDenseMaxVertices);
  // σ: 1% of 4π / area, the first non-zero eigenvalue's order of magnitude (Weyl's law).
  const double sigma = 0.01 * 4.0 * M_PI / M.sum();
  bool ok = false;
  double eps = kEigsShift;
  for (int attempt = 0; attempt < 4 && !ok && kk > 0; ++attempt) {
    if (dense) {
      dense_eigs(L, M, eps, kk, lambda, psi);
      ok = true;
      break;
    }
    ShiftInvert op(L, M, eps, sigma);
    if (op.ok()) {
      if (solver != EigsSolver::Spectra) ok = block_lanczos_eigs(op, sigma, kk, lambda, psi);
      if (!ok && solver != EigsSolver::BlockLanczos)
        ok = spectra_eigs(op, sigma, kk, std::max(2 * kk + 1, kk + 20) + 20 * attempt, lambda, psi);
    }
    if (!ok) eps *= 10.0;  // as the reference: more regularization, then try again
  }
  if (!ok && kk > 0)
    throw std::runtime_error("laplacian_eigs: the eigensolver did not converge (" +
                             std::to_string(n) + " vertices, k = " + std::to_string(k) + ")");

  evals = Eigen::VectorXd::Zero(k);
  evecs = Eigen::MatrixXd::Zero(n, k);
  const Eigen::VectorXd inv_sqrt_m = M.cwiseSqrt().cwiseInverse();
  for (int j = 0; j < kk; ++j) {
    evals(j) = std::max(0.0, lambda(j));
    Eigen::VectorXd phi = psi.col(j).cwiseProduct(inv_sqrt_m);
    Eigen::Index arg;
    phi.cwiseAbs().maxCoeff(&arg);
    if (phi(arg) < 0) phi = -phi;
    evecs.col(j) = phi;
  }
}

}  // namespace nfs::geo
