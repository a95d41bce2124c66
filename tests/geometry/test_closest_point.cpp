#include <catch2/catch.hpp>
#include <random>

#include "geometry/closest_point.h"
#include "geometry/mesh_fixtures.h"

using namespace nfs;

namespace {

// Brute force over every triangle: the reference the tree must match.
double brute_force_sqr_distance(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F,
                                const Eigen::Vector3d& p) {
  double best = std::numeric_limits<double>::infinity();
  Eigen::Vector3d bary;
  for (int f = 0; f < F.rows(); ++f) {
    const Eigen::Vector3d q =
        closest_point_on_triangle(p, V.row(F(f, 0)).transpose(), V.row(F(f, 1)).transpose(),
                                  V.row(F(f, 2)).transpose(), bary);
    best = std::min(best, (q - p).squaredNorm());
  }
  return best;
}

// Random queries in the mesh's box grown by half its diagonal: the tree's distance equals the
// brute-force minimum, and its face and barycentric coordinates reproduce the returned point.
void check_against_brute_force(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int queries,
                               uint32_t seed) {
  ClosestPointTree tree(V, F);
  const Eigen::Vector3d lo = V.colwise().minCoeff(), hi = V.colwise().maxCoeff();
  const double diag = (hi - lo).norm();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-0.5, 1.5);
  Eigen::MatrixXd P(queries, 3);
  for (int i = 0; i < queries; ++i)
    for (int k = 0; k < 3; ++k) P(i, k) = lo(k) + u(rng) * (hi(k) - lo(k));
  // Half of the queries close to the surface, where the real work happens.
  for (int i = 0; i < queries / 2; ++i) {
    const int f = int(rng() % F.rows());
    const double a = u(rng) * 0.5 + 0.25, b = (1 - a) * (u(rng) * 0.5 + 0.25);
    P.row(i) = a * V.row(F(f, 0)) + b * V.row(F(f, 1)) + (1 - a - b) * V.row(F(f, 2));
    P.row(i) += 0.01 * diag * Eigen::RowVector3d(u(rng), u(rng), u(rng));
  }
  Eigen::VectorXd sqrD;
  Eigen::VectorXi I;
  Eigen::MatrixXd C, B;
  closest_points(tree, P, sqrD, I, C, B);
  const double tol = 1e-12 * diag * diag;
  for (int i = 0; i < queries; ++i) {
    const Eigen::Vector3d p = P.row(i).transpose();
    INFO("query " << i);
    REQUIRE(I(i) >= 0);
    REQUIRE(I(i) < F.rows());
    CHECK(sqrD(i) == Approx(brute_force_sqr_distance(V, F, p)).margin(tol));
    CHECK((C.row(i).transpose() - p).squaredNorm() == Approx(sqrD(i)).margin(tol));
    CHECK(B.row(i).minCoeff() >= 0.0);
    CHECK(B.row(i).sum() == Approx(1.0));
    const Eigen::RowVector3d from_bary =
        B(i, 0) * V.row(F(I(i), 0)) + B(i, 1) * V.row(F(I(i), 1)) + B(i, 2) * V.row(F(I(i), 2));
    CHECK((from_bary - C.row(i)).norm() <= 1e-9 * diag);
    // The single query answers the same, and so does one with any hint.
    const ClosestPointHit h = tree.query(p);
    CHECK(h.face == I(i));
    CHECK(h.sqr_distance == sqrD(i));
    const ClosestPointHit g =
        tree.query(p, std::numeric_limits<double>::infinity(), int(rng() % F.rows()));
    CHECK(g.sqr_distance == Approx(sqrD(i)).margin(tol));
  }
}

}  // namespace

TEST_CASE("closest point on a triangle: each Voronoi region, by hand", "[closest_point]") {
  const Eigen::Vector3d a(0, 0, 0), b(2, 0, 0), c(0, 2, 0);
  Eigen::Vector3d bary;
  // Above the inside: the foot of the perpendicular.
  CHECK((closest_point_on_triangle({0.5, 0.5, 3}, a, b, c, bary) - Eigen::Vector3d(0.5, 0.5, 0))
            .norm() < 1e-15);
  CHECK((bary - Eigen::Vector3d(0.5, 0.25, 0.25)).norm() < 1e-15);
  // Beyond corner b.
  CHECK((closest_point_on_triangle({3, -1, 1}, a, b, c, bary) - b).norm() < 1e-15);
  CHECK(bary == Eigen::Vector3d(0, 1, 0));
  // Beyond the edge a-b: projects onto it.
  CHECK(
      (closest_point_on_triangle({1.5, -1, 0}, a, b, c, bary) - Eigen::Vector3d(1.5, 0, 0)).norm() <
      1e-15);
  CHECK((bary - Eigen::Vector3d(0.25, 0.75, 0)).norm() < 1e-15);
  // Beyond the hypotenuse b-c.
  CHECK((closest_point_on_triangle({2, 2, 0}, a, b, c, bary) - Eigen::Vector3d(1, 1, 0)).norm() <
        1e-15);
  CHECK((bary - Eigen::Vector3d(0, 0.5, 0.5)).norm() < 1e-15);
  // A degenerate (collinear) triangle still answers on its edges.
  CHECK((closest_point_on_triangle({1, 1, 0}, a, b, Eigen::Vector3d(1, 0, 0), bary) -
         Eigen::Vector3d(1, 0, 0))
            .norm() < 1e-15);
  CHECK(bary.sum() == Approx(1.0));
}

TEST_CASE("closest point tree matches brute force on the ICT head", "[closest_point]") {
  const auto& head = test::ict_head();
  check_against_brute_force(head.V, test::ict_triangles(), 400, 1);
}

TEST_CASE(
    "closest point tree matches brute force on a sphere, a holey grid, two pieces, tiny and huge "
    "scales",
    "[closest_point]") {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::uv_sphere(12, 20, 1.0, V, F);
  check_against_brute_force(V, F, 500, 2);
  check_against_brute_force(V * 1e-4, F, 300, 3);
  test::holey_grid(20, V, F);
  check_against_brute_force(V, F, 500, 4);
  check_against_brute_force(V * 1e5, F, 300, 5);
  test::two_pieces(V, F);
  check_against_brute_force(V, F, 300, 8);
}

TEST_CASE("closest point tree survives degenerate triangles and a single triangle",
          "[closest_point]") {
  Eigen::MatrixXd V(6, 3);
  V << 0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 2, 2, 3, 3, 3, 4, 4, 4;
  Eigen::MatrixXi F(4, 3);
  F << 0, 1, 2,  // a proper triangle
      3, 4, 5,   // collinear
      3, 3, 3,   // a point
      1, 1, 4;   // a segment
  check_against_brute_force(V, F, 300, 6);
  check_against_brute_force(V, F.topRows(1), 100, 7);
}

TEST_CASE("closest point tree honours the search radius and rejects bad input", "[closest_point]") {
  Eigen::MatrixXd V(3, 3);
  V << 0, 0, 0, 1, 0, 0, 0, 1, 0;
  Eigen::MatrixXi F(1, 3);
  F << 0, 1, 2;
  ClosestPointTree tree(V, F);
  CHECK(tree.query({0.2, 0.2, 1.0}, 0.5).face == -1);  // distance² 1 > 0.5
  CHECK(tree.query({0.2, 0.2, 1.0}, 1.5).face == 0);
  Eigen::MatrixXi bad(1, 3);
  bad << 0, 1, 3;
  CHECK_THROWS_AS(ClosestPointTree(V, bad), std::invalid_argument);
  CHECK_THROWS_AS(ClosestPointTree(V, Eigen::MatrixXi(0, 3)), std::invalid_argument);
  Eigen::MatrixXd nan = V;
  nan(1, 1) = std::nan("");
  CHECK_THROWS_AS(ClosestPointTree(nan, F), std::invalid_argument);
}
