// Eigenpairs of L φ = λ M φ: closed forms on the unit sphere, properties on every test mesh, and
// the sparse (Lanczos) path against a dense generalized solve.
#include <Eigen/Eigenvalues>
#include <catch2/catch.hpp>
#include <cmath>

#include "geometry/cotmatrix.h"
#include "geometry/laplacian_eigs.h"
#include "geometry/massmatrix.h"
#include "geometry/test_meshes.h"

using namespace nfs;

namespace {

struct Eigs {
  Eigen::SparseMatrix<double> L;
  Eigen::VectorXd M, evals;
  Eigen::MatrixXd evecs;
};

Eigs solve(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int k,
           geo::EigsSolver solver = geo::EigsSolver::Auto) {
  Eigs e;
  geo::cotmatrix(V, F, e.L);
  geo::lumped_mass(V, F, e.M);
  geo::laplacian_eigs(e.L, e.M, k, e.evals, e.evecs, solver);
  return e;
}

// The defining properties: sorted, ≥ 0, M-orthonormal, small residual.
void check_eigenpairs(const Eigs& e, int k) {
  REQUIRE(e.evals.size() == k);
  REQUIRE(e.evecs.cols() == k);
  REQUIRE(e.evecs.allFinite());
  for (int j = 0; j < k; ++j) {
    CHECK(e.evals(j) >= 0);
    if (j > 0) CHECK(e.evals(j) >= e.evals(j - 1));
  }
  const Eigen::MatrixXd gram = e.evecs.transpose() * e.M.asDiagonal() * e.evecs;
  CHECK((gram - Eigen::MatrixXd::Identity(k, k)).cwiseAbs().maxCoeff() < 1e-8);
  const double lmax = e.evals(k - 1);
  for (int j = 0; j < k; ++j) {
    const Eigen::VectorXd r = e.L * e.evecs.col(j) + geo::kEigsShift * e.evecs.col(j) -
                              e.evals(j) * e.M.cwiseProduct(e.evecs.col(j));
    // Residual in the M⁻¹ norm, relative to the spectrum's scale.
    CHECK(std::sqrt(r.dot(e.M.cwiseInverse().cwiseProduct(r))) < 1e-6 * lmax);
  }
}

}  // namespace

TEST_CASE("unit sphere eigenvalues are l(l+1) with multiplicities 1, 3, 5, 7", "[geometry]") {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::icosphere(4, V, F);  // 2562 vertices: the sparse (Lanczos) path
  const Eigs e = solve(V, F, 16);
  check_eigenpairs(e, 16);
  CHECK(e.evals(0) < 1e-4);
  int j = 1;
  for (int l = 1; l <= 3; ++l)
    for (int m = 0; m < 2 * l + 1; ++m, ++j) {
      INFO("l = " << l << ", eigenvalue " << j << " = " << e.evals(j));
      CHECK(e.evals(j) == Approx(l * (l + 1)).epsilon(0.02));
    }
  // The constant mode: φ0 = 1/sqrt(area).
  const double area = e.M.sum();
  CHECK((e.evecs.col(0).array() - 1.0 / std::sqrt(area)).abs().maxCoeff() < 1e-6);
}

TEST_CASE("eigenpairs on every test mesh; one near-zero eigenvalue per component", "[geometry]") {
  for (const auto& m : test::test_meshes(3)) {
    INFO(m.name);
    const int k = 12;
    const Eigs e = solve(m.V, m.F, k);
    check_eigenpairs(e, k);
    // The near-null eigenvalues ε·(component size)/(component mass) sit far below the rest.
    CHECK(e.evals(m.components - 1) < 1e-4 * e.evals(m.components));
  }
}

TEST_CASE("block Lanczos and dense eigensolvers agree", "[geometry]") {
  for (const auto& m : test::test_meshes(2)) {
    INFO(m.name);
    const int k = 20;
    const Eigs lanczos = solve(m.V, m.F, k, geo::EigsSolver::BlockLanczos);
    const Eigs dense = solve(m.V, m.F, k + 10, geo::EigsSolver::Dense);
    check_eigenpairs(lanczos, k);
    check_eigenpairs(dense, k + 10);
    const double scale = dense.evals(k - 1);
    for (int j = 0; j < k; ++j)
      CHECK(lanczos.evals(j) == Approx(dense.evals(j)).epsilon(1e-8).margin(1e-9 * scale));
    // Same spectral projector Φ Φᵀ M onto the first kc modes, kc ≤ k ending at a clear gap
    // (a repeated eigenvalue's basis is arbitrary, its span is not).
    int kc = k;
    while (kc > 1 && dense.evals(kc) < dense.evals(kc - 1) * (1 + 1e-3)) --kc;
    const Eigen::VectorXd x = Eigen::VectorXd::Random(m.V.rows());
    const Eigen::MatrixXd Pl = lanczos.evecs.leftCols(kc), Pd = dense.evecs.leftCols(kc);
    const Eigen::VectorXd yl = Pl * (Pl.transpose() * dense.M.cwiseProduct(x));
    const Eigen::VectorXd yd = Pd * (Pd.transpose() * dense.M.cwiseProduct(x));
    CHECK((yl - yd).norm() <= 1e-6 * yd.norm());
  }
}

TEST_CASE("Spectra fallback agrees with the dense solve", "[geometry]") {
  // The holes break the icosphere's symmetry (no repeated eigenvalues, which single-vector
  // Lanczos may miss: the reason block Lanczos is the default).
  const auto meshes = test::test_meshes(2);
  const auto& m = meshes[1];
  REQUIRE(m.name == "sphere with holes");
  const int k = 16;
  const Eigs spectra = solve(m.V, m.F, k, geo::EigsSolver::Spectra);
  const Eigs dense = solve(m.V, m.F, k, geo::EigsSolver::Dense);
  check_eigenpairs(spectra, k);
  for (int j = 0; j < k; ++j)
    CHECK(spectra.evals(j) == Approx(dense.evals(j)).epsilon(1e-8).margin(1e-12));
}

TEST_CASE("k larger than the mesh pads with zero columns", "[geometry]") {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::icosphere(0, V, F);  // 12 vertices
  const Eigs e = solve(V, F, 20);
  REQUIRE(e.evals.size() == 20);
  CHECK(e.evecs.rightCols(8).cwiseAbs().maxCoeff() == 0.0);
  CHECK(e.evals.tail(8).cwiseAbs().maxCoeff() == 0.0);
  const Eigen::MatrixXd gram =
      e.evecs.leftCols(12).transpose() * e.M.asDiagonal() * e.evecs.leftCols(12);
  CHECK((gram - Eigen::MatrixXd::Identity(12, 12)).cwiseAbs().maxCoeff() < 1e-10);
}
