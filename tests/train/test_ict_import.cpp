#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "nn/safetensors.h"
#include "train/ict_import.h"
#include "train/ict_model.h"

using namespace nfs;

TEST_CASE("import-ict on the kit's sample files reproduces the shared asset's shapes", "[ict]") {
  IctImportOptions opt;
  opt.allow_missing = true;
  const std::string out = "ict_sample_import.safetensors";
  IctImportReport r = import_ict_facekit(NFS_SHARED_DIR "/data/ict-facekit/FaceXModel-sample", out, opt);
  CHECK(r.expressions == 2);
  CHECK(r.identities == 1);
  IctModel mine = load_ict_model(out);
  IctModel shared = load_ict_model(NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors");
  CHECK(mine.num_vertices == 11248);
  CHECK(mine.neutral == shared.neutral);
  CHECK(mine.quads == shared.quads);
  CHECK(mine.landmarks == shared.landmarks);
  CHECK(mine.expression_names == std::vector<std::string>{"eyeBlink_L", "jawOpen"});
  const size_t n = mine.neutral.size();
  for (int k = 0; k < 2; ++k) {
    const int s = shared.expression_index(mine.expression_names[k]);
    REQUIRE(s >= 0);
    std::vector<float> a(mine.expression_deltas.begin() + k * n, mine.expression_deltas.begin() + (k + 1) * n);
    std::vector<float> b(shared.expression_deltas.begin() + s * n, shared.expression_deltas.begin() + (s + 1) * n);
    INFO(mine.expression_names[k]);
    CHECK(a == b);
  }
  std::vector<float> id0(shared.identity_deltas.begin(), shared.identity_deltas.begin() + n);
  CHECK(mine.identity_deltas == id0);
  std::remove(out.c_str());
}

TEST_CASE("import-ict reports missing kit files by name and writes nothing", "[ict]") {
  const std::string out = "ict_should_not_exist.safetensors";
  CHECK_THROWS_WITH(import_ict_facekit(NFS_SHARED_DIR "/data/ict-facekit/FaceXModel-sample", out, {}),
                    Catch::Contains("browDown_L.obj: missing expression shape"));
  CHECK_THROWS_WITH(import_ict_facekit("/nonexistent", out, {}),
                    Catch::Contains("/nonexistent/vertex_indices.json: missing"));
  CHECK_FALSE(std::ifstream(out).good());
}
