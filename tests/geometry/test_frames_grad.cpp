// Vertex normals, tangent frames and the gradient operators Gx, Gy.
#include <Eigen/Geometry>
#include <catch2/catch.hpp>
#include <cmath>

#include "geometry/cotmatrix.h"
#include "geometry/grad.h"
#include "geometry/tangent_frames.h"
#include "geometry/test_meshes.h"
#include "geometry/vertex_normals.h"

using namespace nfs;

TEST_CASE("vertex normals of a sphere point outward", "[geometry]") {
  for (const auto& m : test::test_meshes(3)) {
    INFO(m.name);
    Eigen::MatrixXd N;
    geo::vertex_normals(m.V, m.F, N);
    // Outward = away from the centre of the vertex's own sphere: the centroid of its component.
    const Eigen::Index n1 = m.components == 2 ? m.V.rows() / 2 : m.V.rows();
    const Eigen::RowVector3d c0 = m.V.topRows(n1).colwise().mean();
    for (Eigen::Index i = 0; i < m.V.rows(); ++i) {
      const Eigen::RowVector3d c = i < n1 ? c0 : m.V.bottomRows(m.V.rows() - n1).colwise().mean();
      const Eigen::RowVector3d radial = (m.V.row(i) - c).normalized();
      CHECK(N.row(i).norm() == Approx(1.0));
      // Holes tilt the boundary's normals a little; elsewhere they are radial.
      CHECK(N.row(i).dot(radial) > (m.closed ? 0.999 : 0.95));
    }
  }
  // A vertex in no triangle gets a zero normal.
  Eigen::MatrixXd V(4, 3);
  V << 0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, 5;
  Eigen::MatrixXi F(1, 3);
  F << 0, 1, 2;
  Eigen::MatrixXd N;
  geo::vertex_normals(V, F, N);
  CHECK(N.row(3).norm() == 0.0);
  CHECK(N(0, 2) == Approx(1.0));
}

TEST_CASE("tangent frames are right-handed orthonormal and follow the reference's rule",
          "[geometry]") {
  Eigen::MatrixXd N(5, 3);
  N << 0, 0, 1,                             // X = (1,0,0)
      0.95, 0, std::sqrt(1 - 0.95 * 0.95),  // |n·x| ≥ 0.9: project (0,1,0)
      -1, 0, 0,                             // likewise
      0.6, 0.8, 0,                          // |n·x| = 0.6 < 0.9: project (1,0,0)
      0, 0, 0;                              // isolated vertex: (0,0,1)
  geo::TangentFrames fr;
  geo::tangent_frames(N, fr);
  for (int i = 0; i < 5; ++i) {
    const Eigen::Vector3d x = fr.X.row(i), y = fr.Y.row(i), n = fr.N.row(i);
    CHECK(x.norm() == Approx(1.0));
    CHECK(y.norm() == Approx(1.0));
    CHECK(std::abs(x.dot(n)) < 1e-12);
    CHECK(std::abs(x.dot(y)) < 1e-12);
    CHECK((n.cross(x) - y).norm() < 1e-12);
  }
  CHECK((fr.X.row(0) - Eigen::RowVector3d(1, 0, 0)).norm() < 1e-12);
  CHECK((fr.Y.row(0) - Eigen::RowVector3d(0, 1, 0)).norm() < 1e-12);
  CHECK((fr.X.row(1) - Eigen::RowVector3d(0, 1, 0)).norm() < 1e-12);  // (0,1,0) ⟂ n already
  CHECK((fr.X.row(2) - Eigen::RowVector3d(0, 1, 0)).norm() < 1e-12);
  CHECK((fr.X.row(3) - Eigen::RowVector3d(0.64, -0.48, 0) / 0.8).norm() < 1e-12);
  CHECK((fr.N.row(4) - Eigen::RowVector3d(0, 0, 1)).norm() < 1e-12);
}

namespace {

struct Grad {
  geo::TangentFrames frames;
  Eigen::SparseMatrix<double> L, Gx, Gy;
};

Grad build(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F) {
  Grad g;
  Eigen::MatrixXd N;
  geo::vertex_normals(V, F, N);
  geo::tangent_frames(N, g.frames);
  geo::cotmatrix(V, F, g.L);
  geo::grad_operators(V, g.L, g.frames, g.Gx, g.Gy);
  return g;
}

}  // namespace

TEST_CASE("gradient of a linear function on a plane is exact (up to the 1e-5 regularizer)",
          "[geometry]") {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::grid(8, 6, 1.0, V, F);  // unit edges: the regularizer's relative effect is ~1e-5
  // Tilt the plane so the frames are not the coordinate axes: rotate about an oblique axis.
  const Eigen::Matrix3d R =
      Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, 0.5).normalized()).toRotationMatrix();
  for (const Eigen::Matrix3d& rot : {Eigen::Matrix3d(Eigen::Matrix3d::Identity()), R}) {
    const Eigen::MatrixXd W = (V * rot.transpose()).rowwise() + Eigen::RowVector3d(0.3, -2, 5);
    const Grad g = build(W, F);
    // u(p) = a · p + c; its surface gradient is a projected on the plane.
    const Eigen::Vector3d a(0.7, -1.3, 2.1);
    const Eigen::VectorXd u = (W * a).array() + 4.0;
    const Eigen::Vector3d n = rot * Eigen::Vector3d(0, 0, 1);
    const Eigen::Vector3d a_t = a - n * n.dot(a);
    const Eigen::VectorXd gx = g.Gx * u, gy = g.Gy * u;
    for (Eigen::Index i = 0; i < W.rows(); ++i) {
      CHECK(gx(i) == Approx(a_t.dot(g.frames.X.row(i).transpose())).epsilon(1e-4).margin(1e-4));
      CHECK(gy(i) == Approx(a_t.dot(g.frames.Y.row(i).transpose())).epsilon(1e-4).margin(1e-4));
    }
    // The flat, untilted grid's frames are the axes: Gx u = a_x, Gy u = a_y.
    if (rot.isIdentity()) {
      CHECK((gx.array() - a.x()).abs().maxCoeff() < 1e-4);
      CHECK((gy.array() - a.y()).abs().maxCoeff() < 1e-4);
    }
  }
}

TEST_CASE("gradient operators: pattern of L, zero on constants, finite on every mesh",
          "[geometry]") {
  for (const auto& m : test::test_meshes(2)) {
    INFO(m.name);
    const Grad g = build(m.V, m.F);
    REQUIRE(g.Gx.rows() == m.V.rows());
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(m.V.rows());
    const double sx = Eigen::MatrixXd(g.Gx).cwiseAbs().maxCoeff();
    CHECK((g.Gx * ones).cwiseAbs().maxCoeff() <= 1e-12 * sx + 1e-300);
    CHECK((g.Gy * ones).cwiseAbs().maxCoeff() <= 1e-12 * sx + 1e-300);
    CHECK(Eigen::MatrixXd(g.Gx).allFinite());
    CHECK(Eigen::MatrixXd(g.Gy).allFinite());
    // Entries only where L has them.
    const Eigen::MatrixXd Ld = Eigen::MatrixXd(g.L), Gd = Eigen::MatrixXd(g.Gx);
    CHECK(((Ld.array() == 0) && (Gd.array() != 0)).count() == 0);
  }
  // Unit sphere, linear function z: surface gradient at p is e_z − p p_z.
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::icosphere(4, V, F);
  const Grad g = build(V, F);
  const Eigen::VectorXd u = V.col(2);
  const Eigen::VectorXd gx = g.Gx * u, gy = g.Gy * u;
  double worst = 0;
  for (Eigen::Index i = 0; i < V.rows(); ++i) {
    const Eigen::Vector3d p = V.row(i).transpose();
    const Eigen::Vector3d exact = Eigen::Vector3d(0, 0, 1) - p * p.z();
    const Eigen::Vector3d got =
        gx(i) * g.frames.X.row(i).transpose() + gy(i) * g.frames.Y.row(i).transpose();
    worst = std::max(worst, (got - exact).norm());
  }
  CHECK(worst < 0.02);  // discretization error of the one-ring fit, O(h)
}
