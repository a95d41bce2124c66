#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "geometry/operator_io.h"
#include "geometry/test_meshes.h"

using namespace nfs;

TEST_CASE("operator files round-trip and the cache is keyed by content", "[geometry][cache]") {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::icosphere(2, V, F);
  const std::string dir = "operator_cache_test";
  std::filesystem::remove_all(dir);
  setenv("NFS_CACHE_DIR", dir.c_str(), 1);

  bool hit = true;
  geo::MeshOperators a = cached_mesh_operators(V, F, 16, &hit);
  CHECK_FALSE(hit);
  geo::MeshOperators b = cached_mesh_operators(V, F, 16, &hit);
  CHECK(hit);
  // The cache holds float32: the same values up to float rounding.
  CHECK((a.evals - b.evals).cwiseAbs().maxCoeff() <= 1e-5 * (1 + a.evals.cwiseAbs().maxCoeff()));
  CHECK((a.evecs - b.evecs).cwiseAbs().maxCoeff() <= 1e-5);
  CHECK((Eigen::MatrixXd(a.gradX) - Eigen::MatrixXd(b.gradX)).cwiseAbs().maxCoeff() <= 1e-5);
  CHECK((a.frames.N - b.frames.N).cwiseAbs().maxCoeff() <= 1e-6);
  // The network sees identical float tensors either way.
  CHECK(to_spectral(a, Device::CPU).evecs.to_vector() == to_spectral(b, Device::CPU).evecs.to_vector());

  // Another mesh (moved vertex) or another k is another entry.
  Eigen::MatrixXd V2 = V;
  V2(0, 0) += 1e-3;
  CHECK(operator_key(V, F, 16) != operator_key(V2, F, 16));
  CHECK(operator_key(V, F, 16) != operator_key(V, F, 8));
  cached_mesh_operators(V2, F, 16, &hit);
  CHECK_FALSE(hit);

  // A damaged entry is recomputed, not trusted.
  for (const auto& e : std::filesystem::directory_iterator(dir)) std::ofstream(e.path(), std::ios::trunc) << "junk";
  cached_mesh_operators(V, F, 16, &hit);
  CHECK_FALSE(hit);
  unsetenv("NFS_CACHE_DIR");
  std::filesystem::remove_all(dir);
}

TEST_CASE("read_operators rejects files that are not operator files", "[geometry][cache]") {
  CHECK_THROWS_WITH(read_operators("/nonexistent.safetensors"), Catch::Contains("cannot open"));
  {
    std::ofstream f("not_ops.safetensors", std::ios::binary);
    f << "short";
  }
  CHECK_THROWS_WITH(read_operators("not_ops.safetensors"), Catch::Contains("not_ops.safetensors: truncated"));
  std::remove("not_ops.safetensors");
}
