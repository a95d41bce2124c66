// Training on unlabelled OBJ sequences (SPEC §6): loading, the error for mismatched frames, and
// steps that use only the decoder losses and the code range loss.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "geometry/mesh_arrays.h"
#include "geometry/remesh.h"
#include "geometry/write_obj.h"
#include "train/tiny_config.h"
#include "train/trainer.h"
#include "support/temp_dir.h"

using namespace nfs;

namespace {
const char* kModel = NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors";


// An ICT identity re-meshed to ~700 vertices, neutral + 3 expressions, in centimetres.
void write_sequence(const std::string& dir) {
  IctModel ict = load_ict_model(kModel);
  const Eigen::MatrixXi F = triangles_matrix(ict.triangles());
  std::vector<float> w_id(100, 0.0f);
  w_id[3] = 1.5f;
  Eigen::MatrixXd V2, B2, frame;
  Eigen::MatrixXi F2;
  Eigen::VectorXi I2;
  RemeshOptions ro;
  ro.target_vertices = 700;
  remesh(points_matrix(ict.shape(w_id, {})), F, ro, V2, F2, I2, B2);
  std::filesystem::create_directories(dir);
  geo::write_obj(dir + "/neutral.obj", triangle_polygons(V2, F2));
  for (int e : {10, 26, 45}) {
    std::vector<float> w(53, 0.0f);
    w[e] = 1.0f;
    barycentric_transfer(F, I2, B2, points_matrix(ict.shape(w_id, w)), frame);
    geo::write_obj(dir + "/frame_" + std::to_string(e) + ".obj", triangle_polygons(frame, F2));
  }
}
}  // namespace

TEST_CASE("unlabelled OBJ sequences train with the decoder and range losses", "[train][userdata]") {
  test::TempDir temp("user_sequence");
  const std::string dir = temp.path.string();
  std::filesystem::remove_all(dir);
  write_sequence(dir);
  IctModel ict = load_ict_model(kModel);
  std::unique_ptr<UserSequence> s = load_user_sequence(dir, ict, 16, Device::CPU);
  CHECK(s->frames.size() == 3);
  CHECK(s->topology.num_vertices > 600);
  CHECK(s->neutral.topology == &s->topology);

  TrainConfig c = test::tiny_train_config(600);
  c.train_identities = 1;
  c.user_data = {dir};
  c.user_data_ratio = 1.0f;  // every step from the user data
  Trainer t(c);
  for (int i = 0; i < 2; ++i) {
    StepLosses l = t.step();
    CHECK(std::isfinite(l.total));
    CHECK(l.vertex > 0.0);
    CHECK(l.range >= 0.0);
    CHECK(l.identity == 0.0);  // no FACS labels: no code targets
  }

  // A frame with another vertex count is refused, naming it.
  std::filesystem::copy_file(dir + "/neutral.obj", dir + "/zz_other.obj");
  {
    std::ofstream f(dir + "/zz_other.obj", std::ios::app);
    f << "v 0 0 0\n";
  }
  CHECK_THROWS_WITH(load_user_sequence(dir, ict, 16, Device::CPU),
                    Catch::Contains("zz_other.obj") && Catch::Contains("frames must share the neutral's topology"));
  std::filesystem::remove_all(dir);
}
