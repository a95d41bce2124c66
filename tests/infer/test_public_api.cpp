// The public header's Retargeter (infer/nfs/nfs.h): a target given as arrays is the same target as
// the file it came from; bad arrays fail with one line naming the target.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "geometry/load_mesh.h"
#include "infer/nfs/nfs.h"

namespace {
const std::string kTarget = std::string(NFS_SOURCE_DIR) + "/data/demo/target.obj";
const std::string kIct = std::string(NFS_SHARED_DIR) + "/data/ict-facekit/ict_face_model.safetensors";
}  // namespace

TEST_CASE("Retargeter: a target from arrays decodes as the same target from its file", "[infer][api]") {
  nfs::RetargeterOptions o;
  o.device = "cpu";
  o.ict_model = kIct;
  nfs::Retargeter r(o);
  nfs::geo::TriangleMesh m;
  nfs::geo::load_mesh(kTarget, m);
  std::vector<float> positions;
  for (Eigen::Index i = 0; i < m.V().rows(); ++i)
    for (int k = 0; k < 3; ++k) positions.push_back(float(m.V()(i, k)));
  std::vector<int> triangles(size_t(m.F.size()));
  for (Eigen::Index t = 0; t < m.F.rows(); ++t)  // Eigen is column-major: rows of i, j, k
    for (int k = 0; k < 3; ++k) triangles[size_t(t) * 3 + k] = m.F(t, k);
  const int from_file = r.prepare_target(kTarget), from_arrays = r.prepare_target(positions, triangles);
  REQUIRE(r.target_vertex_count(from_arrays) == int(m.V().rows()));
  std::vector<float> code = r.code_from_weights(std::vector<float>(53, 0.0f));
  nfs::Retargeter::set_weight(code, "jawOpen", 1.0f);
  nfs::Retargeter::set_weight(code, "eyeBlinkLeft", 1.0f);
  const std::vector<float> a = r.decode(from_file, {code})[0], b = r.decode(from_arrays, {code})[0];
  REQUIRE(a.size() == b.size());
  double worst = 0.0, moved = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(double(a[i]) - b[i]));
    moved = std::max(moved, std::abs(double(a[i]) - positions[i]));
  }
  CHECK(worst < 1e-5);  // float positions against the file's doubles: a rounding apart
  CHECK(moved > 1e-3);  // and the jaw did open (metres: a millimetre at least)

  std::vector<float> bad = positions;
  bad[4] = NAN;
  CHECK_THROWS_WITH(r.prepare_target(bad, triangles), "target: vertex 2 has a non-finite coordinate");
  CHECK_THROWS_AS(r.prepare_target(positions, {0, 1}), std::invalid_argument);
  CHECK_THROWS_WITH(r.prepare_target(positions, {0, 1, int(m.V().rows())}), Catch::Contains("target: "));
}

TEST_CASE("the default model: $NFS_MODEL when set, else the sources' models/", "[infer][api]") {
  nfs::RetargeterOptions o;
  o.device = "cpu";
  o.ict_model = kIct;
  const std::string missing = "/nonexistent/nfs_mine.safetensors";
  setenv("NFS_MODEL", missing.c_str(), 1);
  CHECK_THROWS_WITH(nfs::Retargeter(o), Catch::Contains(missing + ": no such model"));
  unsetenv("NFS_MODEL");
  CHECK_NOTHROW(nfs::Retargeter(o));  // the build's default: models/nfs_default.safetensors
  setenv("NFS_MODEL", (std::string(NFS_SOURCE_DIR) + "/models/nfs_ablation.safetensors").c_str(),
         1);
  CHECK_NOTHROW(nfs::Retargeter(o));
  unsetenv("NFS_MODEL");
}
