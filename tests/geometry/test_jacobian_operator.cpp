// Per-triangle Jacobian operator: affine maps come back as themselves (on the triangle plane).
#include <Eigen/Geometry>
#include <catch2/catch.hpp>

#include "geometry/jacobian_operator.h"
#include "geometry/test_meshes.h"

using namespace nfs;

TEST_CASE("Jacobian operator of an affine map returns the map", "[geometry]") {
  Eigen::Matrix3d A;
  A << 1.2, -0.3, 0.5, 0.4, 0.9, -0.7, -0.2, 0.6, 1.1;
  const Eigen::RowVector3d t(3, -1, 2);
  for (const auto& m : test::test_meshes(2)) {
    INFO(m.name);
    Eigen::SparseMatrix<double> G;
    geo::jacobian_operator(m.V, m.F, G);
    REQUIRE(G.rows() == 3 * m.F.rows());
    REQUIRE(G.cols() == m.V.rows());
    const Eigen::MatrixXd Vp = (m.V * A.transpose()).rowwise() + t;  // v' = A v + t
    const Eigen::MatrixXd J = G * Vp;                                // 3F × 3
    double worst = 0;
    for (Eigen::Index f = 0; f < m.F.rows(); ++f) {
      const Eigen::Vector3d p0 = m.V.row(m.F(f, 0)), p1 = m.V.row(m.F(f, 1)),
                            p2 = m.V.row(m.F(f, 2));
      const Eigen::Vector3d n = (p1 - p0).cross(p2 - p0).normalized();
      const Eigen::Matrix3d expected = A * (Eigen::Matrix3d::Identity() - n * n.transpose());
      // (G V')(3f + b, a) = J_f(a, b)
      const Eigen::Matrix3d Jf = J.middleRows(3 * f, 3).transpose();
      worst = std::max(worst, (Jf - expected).cwiseAbs().maxCoeff());
    }
    CHECK(worst < 1e-9);
  }
  // A flat mesh in z = 0: the in-plane map is returned in full (third column zero).
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::grid(3, 2, 0.5, V, F);
  Eigen::SparseMatrix<double> G;
  geo::jacobian_operator(V, F, G);
  const Eigen::MatrixXd J = G * ((V * A.transpose()).rowwise() + t);
  Eigen::Matrix3d planar = A;
  planar.col(2).setZero();
  for (Eigen::Index f = 0; f < F.rows(); ++f)
    CHECK((J.middleRows(3 * f, 3).transpose() - planar).cwiseAbs().maxCoeff() < 1e-12);
  // Rows sum to zero: translations vanish.
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(V.rows());
  CHECK((G * ones).cwiseAbs().maxCoeff() < 1e-12);
}
