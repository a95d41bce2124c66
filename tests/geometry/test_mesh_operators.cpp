// MeshOperators in one call, on the test meshes and on the ICT-FaceKit head (quads, holes,
// eyeballs, teeth: many components).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

#include "geometry/csr_arrays.h"
#include "geometry/load_mesh.h"
#include "geometry/mesh_operators.h"
#include "geometry/test_meshes.h"

using namespace nfs;

namespace {

void check_operators(const geo::MeshOperators& ops, Eigen::Index n, int k) {
  REQUIRE(ops.mass.size() == n);
  REQUIRE(ops.L.rows() == n);
  REQUIRE(ops.evals.size() == k);
  REQUIRE(ops.evecs.rows() == n);
  REQUIRE(ops.evecs.cols() == k);
  REQUIRE(ops.gradX.rows() == n);
  REQUIRE(ops.gradY.cols() == n);
  REQUIRE(ops.frames.X.rows() == n);
  CHECK(ops.mass.allFinite());
  CHECK(ops.mass.minCoeff() > 0);
  CHECK(Eigen::VectorXd(ops.L.coeffs()).allFinite());
  CHECK(Eigen::VectorXd(ops.gradX.coeffs()).allFinite());
  CHECK(Eigen::VectorXd(ops.gradY.coeffs()).allFinite());
  CHECK(ops.evecs.allFinite());
  CHECK(ops.frames.X.allFinite());
  CHECK(ops.frames.Y.allFinite());
  for (int j = 0; j < k; ++j) {
    CHECK(ops.evals(j) >= 0);
    if (j > 0) CHECK(ops.evals(j) >= ops.evals(j - 1));
  }
  const Eigen::MatrixXd gram = ops.evecs.transpose() * ops.mass.asDiagonal() * ops.evecs;
  CHECK((gram - Eigen::MatrixXd::Identity(k, k)).cwiseAbs().maxCoeff() < 1e-8);
}

}  // namespace

TEST_CASE("compute_mesh_operators on every test mesh", "[geometry]") {
  for (const auto& m : test::test_meshes(3)) {
    INFO(m.name);
    geo::MeshOperators ops;
    geo::compute_mesh_operators(m.V, m.F, 16, ops);
    check_operators(ops, m.V.rows(), 16);
  }
}

TEST_CASE("operators tolerate an isolated vertex", "[geometry]") {
  // check_mesh reports isolated vertices but keeps them (indices stay the file's).
  Eigen::MatrixXd S;
  Eigen::MatrixXi F;
  test::icosphere(3, S, F);
  Eigen::MatrixXd V(S.rows() + 1, 3);
  V << S, Eigen::RowVector3d(0.1, 0.2, 0.3);
  geo::MeshOperators ops;
  const int k = 12;
  geo::compute_mesh_operators(V, F, k, ops);
  check_operators(ops, V.rows(), k);
  const Eigen::Index iso = S.rows();
  CHECK(ops.L.col(iso).norm() == 0.0);
  CHECK(Eigen::MatrixXd(ops.gradX).row(iso).norm() == 0.0);
  CHECK(ops.frames.N.row(iso) == Eigen::RowVector3d(0, 0, 1));
  // Its eigenvalue ε / (its mass) = 1 / mean(mass) is far above the sphere's first modes, so
  // none of the first k eigenvectors lives on it (up to solver noise, magnified by its tiny mass;
  // the sphere's own entries are about 1/sqrt(4π) ≈ 0.3).
  CHECK(ops.evecs.row(iso).cwiseAbs().maxCoeff() < 1e-3);
}

TEST_CASE("operators export as CSR arrays", "[geometry]") {
  Eigen::SparseMatrix<double> A(3, 4);
  A.insert(2, 1) = 5.0;
  A.insert(0, 3) = -1.0;
  A.insert(0, 0) = 2.0;
  A.insert(1, 2) = 0.0;  // explicit zero kept
  std::vector<int32_t> indptr, indices;
  std::vector<float> values;
  geo::csr_arrays(A, indptr, indices, values);
  CHECK(indptr == std::vector<int32_t>{0, 2, 3, 4});
  CHECK(indices == std::vector<int32_t>{0, 3, 2, 1});
  CHECK(values == std::vector<float>{2.0f, -1.0f, 0.0f, 5.0f});
}

TEST_CASE("ICT-FaceKit head: load, check and build operators", "[geometry][data]") {
  const std::string path =
      std::string(NFS_SHARED_DIR) + "/data/ict-facekit/FaceXModel-sample/generic_neutral_mesh.obj";
  geo::TriangleMesh mesh;
  auto t0 = std::chrono::steady_clock::now();
  geo::load_mesh(path, mesh);
  auto t1 = std::chrono::steady_clock::now();
  REQUIRE(mesh.V().rows() == 26719);
  CHECK(mesh.poly.num_polygons() > 0);
  CHECK(mesh.F.rows() >= mesh.poly.num_polygons());
  CHECK(mesh.report.components > 1);  // head, eyeballs, teeth, ...
  CHECK(mesh.poly.materials.size() > 1);
  for (const auto& w : mesh.report.warnings) std::printf("  %s\n", w.c_str());

  // Canonical frame: centimetres × 0.1 (SPEC §5), so the gradient regularizer sees the scale the
  // network will.
  const Eigen::MatrixXd V = mesh.V() * 0.1;
  geo::MeshOperators ops;
  const int k = 64;  // more than the 56 components
  geo::compute_mesh_operators(V, mesh.F, k, ops);
  auto t2 = std::chrono::steady_clock::now();
  check_operators(ops, V.rows(), k);
  // Several components: as many near-zero eigenvalues, well below the first non-trivial one.
  REQUIRE(mesh.report.components < k);
  CHECK(ops.evals(mesh.report.components - 1) < 1e-3 * ops.evals(mesh.report.components));
  std::printf(
      "ICT head: %d vertices, %d triangles, %d components; load %.2f s, operators "
      "(k=%d) %.2f s\n",
      static_cast<int>(V.rows()), static_cast<int>(mesh.F.rows()), mesh.report.components,
      std::chrono::duration<double>(t1 - t0).count(), k,
      std::chrono::duration<double>(t2 - t1).count());
}
