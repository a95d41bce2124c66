#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "geometry/operator_io.h"
#include "geometry/test_meshes.h"
#include "infer/cli.h"
#include "support/temp_dir.h"

using namespace nfs;

TEST_CASE("operator files round-trip and the cache is keyed by content", "[geometry][cache]") {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::icosphere(2, V, F);
  test::TempDir temp("operator_cache");
  const std::string dir = temp.path.string();
  std::filesystem::remove_all(dir);
  test::ScopedEnv cache("NFS_CACHE_DIR", dir);

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
  std::filesystem::remove_all(dir);
}

TEST_CASE("read_operators rejects files that are not operator files", "[geometry][cache]") {
  CHECK_THROWS_WITH(read_operators("/nonexistent.safetensors"), Catch::Contains("cannot open"));
  test::TempDir dir("not_ops");
  CHECK_THROWS_WITH(read_operators(dir.write("not_ops.safetensors", "short")), Catch::Contains("not_ops.safetensors: truncated"));
}

namespace {

std::string cache_entry(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path().string());
  REQUIRE(files.size() == 1);  // one entry, no temporary files left
  return files[0];
}

}  // namespace

TEST_CASE("a truncated or bit-flipped cache entry is detected, recomputed and replaced", "[geometry][cache]") {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::icosphere(1, V, F);
  test::TempDir temp("cache_faults");
  test::ScopedEnv cache("NFS_CACHE_DIR", temp.path.string());
  bool hit = true;
  const geo::MeshOperators fresh = cached_mesh_operators(V, F, 8, &hit);
  const std::string entry = cache_entry(temp.path.string()), good = read_text_file(entry);
  CHECK(read_operators(entry, true).evals.size() == 8);

  SECTION("a bit flipped in the eigenvectors: still parses, the checksum catches it") {
    std::string bad = good;
    bad[bad.size() - 100] ^= 0x10;
    std::ofstream(entry, std::ios::binary | std::ios::trunc) << bad;
    CHECK_THROWS_WITH(read_operators(entry), Catch::Contains("checksum mismatch"));
  }
  SECTION("truncated (a write cut short)") {
    std::ofstream(entry, std::ios::binary | std::ios::trunc) << good.substr(0, good.size() / 2);
    CHECK_THROWS_WITH(read_operators(entry), Catch::Contains("run past the end"));
  }
  const geo::MeshOperators again = cached_mesh_operators(V, F, 8, &hit);
  CHECK_FALSE(hit);
  CHECK(again.evals.isApprox(fresh.evals));
  CHECK(read_text_file(cache_entry(temp.path.string())) == good);  // replaced by a whole entry
  cached_mesh_operators(V, F, 8, &hit);
  CHECK(hit);
}

TEST_CASE("threads preparing the same mesh at once leave one whole cache entry", "[geometry][cache]") {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::icosphere(2, V, F);
  test::TempDir temp("cache_race");
  test::ScopedEnv cache("NFS_CACHE_DIR", temp.path.string());
  std::vector<std::thread> threads;
  std::vector<double> first_eval(4, -1.0);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] { first_eval[i] = cached_mesh_operators(V, F, 8).evals(1); });
  for (std::thread& t : threads) t.join();
  for (double e : first_eval) CHECK(e == Approx(first_eval[0]).epsilon(1e-5));
  CHECK(read_operators(cache_entry(temp.path.string()), true).mass.size() == V.rows());
}
