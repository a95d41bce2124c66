// Cotangent Laplacian and lumped mass: properties on every test mesh, closed forms where known.
#include <Eigen/Eigenvalues>
#include <catch2/catch.hpp>
#include <cmath>

#include "geometry/cotmatrix.h"
#include "geometry/massmatrix.h"
#include "geometry/test_meshes.h"

using namespace nfs;

TEST_CASE("cotmatrix is symmetric, PSD, and annihilates constants", "[geometry]") {
  for (const auto& m : test::test_meshes(2)) {
    INFO(m.name);
    Eigen::SparseMatrix<double> L;
    geo::cotmatrix(m.V, m.F, L);
    REQUIRE(L.rows() == m.V.rows());
    const double scale = Eigen::MatrixXd(L).cwiseAbs().maxCoeff();
    CHECK((Eigen::MatrixXd(L) - Eigen::MatrixXd(L.transpose())).cwiseAbs().maxCoeff() == 0.0);
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(L.rows());
    CHECK((L * ones).cwiseAbs().maxCoeff() <= 1e-12 * scale);
    // PSD: the smallest eigenvalue is 0 (one per component) up to round-off, none below.
    const Eigen::MatrixXd Ld(L);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Ld);
    CHECK(es.eigenvalues()(0) >= -1e-10 * scale);
    CHECK(std::abs(es.eigenvalues()(m.components - 1)) <= 1e-10 * scale);
    CHECK(es.eigenvalues()(m.components) > 1e-6 * scale);
    // Diagonal positive (no isolated vertices in the test meshes).
    CHECK(Eigen::VectorXd(L.diagonal()).minCoeff() > 0);
  }
}

TEST_CASE("cotmatrix is scale invariant and matches hand-computed weights", "[geometry]") {
  // Right isosceles triangle (0,0,0), (1,0,0), (0,1,0): angles 90°, 45°, 45°.
  Eigen::MatrixXd V(3, 3);
  V << 0, 0, 0, 1, 0, 0, 0, 1, 0;
  Eigen::MatrixXi F(1, 3);
  F << 0, 1, 2;
  Eigen::SparseMatrix<double> L;
  geo::cotmatrix(V, F, L);
  // Edge (1,2) is opposite the right angle: cot 90° = 0. Edges (0,1), (0,2): cot 45°/2 = 0.5.
  CHECK(L.coeff(1, 2) == Approx(0.0).margin(1e-15));
  CHECK(L.coeff(0, 1) == Approx(-0.5));
  CHECK(L.coeff(0, 2) == Approx(-0.5));
  CHECK(L.coeff(0, 0) == Approx(1.0));
  CHECK(L.coeff(1, 1) == Approx(0.5));
  // The zero-weight edge stays in the pattern (the gradient operators need it).
  bool found = false;
  for (Eigen::SparseMatrix<double>::InnerIterator it(L, 2); it; ++it) found |= it.row() == 1;
  CHECK(found);

  Eigen::MatrixXd S;
  Eigen::MatrixXi G;
  test::icosphere(2, S, G);
  Eigen::SparseMatrix<double> L1, L2;
  geo::cotmatrix(S, G, L1);
  geo::cotmatrix(S * 1234.5, G, L2);
  CHECK((Eigen::MatrixXd(L1) - Eigen::MatrixXd(L2)).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("lumped mass sums to the surface area", "[geometry]") {
  // Flat grid: the area is exact.
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::grid(7, 5, 0.3, V, F);
  Eigen::VectorXd A, M;
  geo::vertex_areas(V, F, A);
  CHECK(A.sum() == Approx(7 * 5 * 0.09).epsilon(1e-12));
  geo::lumped_mass(V, F, M);
  CHECK(M.sum() == Approx(A.sum() * (1 + geo::kMassEps)).epsilon(1e-12));
  // Corner vertex of a grid with diagonal (a,b,d),(a,d,c): in 2 triangles → 2 · (h²/2)/3.
  CHECK(A(0) == Approx(2 * 0.045 / 3));

  // Unit sphere: the polyhedron's area approaches 4π from below.
  for (int levels : {3, 4}) {
    test::icosphere(levels, V, F);
    geo::vertex_areas(V, F, A);
    CHECK(A.sum() < 4 * M_PI);
    CHECK(A.sum() == Approx(4 * M_PI).epsilon(levels == 3 ? 0.01 : 0.003));
  }
  // Every test mesh: positive masses, quadratic in scale.
  for (const auto& m : test::test_meshes(2)) {
    INFO(m.name);
    geo::lumped_mass(m.V, m.F, M);
    CHECK(M.minCoeff() > 0);
  }
  test::icosphere(2, V, F);
  Eigen::VectorXd A1, A2;
  geo::vertex_areas(V, F, A1);
  geo::vertex_areas(V * 1e3, F, A2);
  CHECK((A2 - A1 * 1e6).cwiseAbs().maxCoeff() <= 1e-9 * A2.maxCoeff());
}
