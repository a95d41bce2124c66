// Training on unlabelled OBJ sequences (SPEC §6): loading, the error for mismatched frames, and
// steps that use only the decoder losses and the code range loss.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "geometry/remesh.h"
#include "geometry/write_obj.h"
#include "train/trainer.h"

using namespace nfs;

namespace {
const char* kModel = NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors";

geo::PolygonMesh triangle_mesh(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F) {
  geo::PolygonMesh m;
  m.V = V;
  for (int64_t f = 0; f < F.rows(); ++f) {
    for (int k = 0; k < 3; ++k) {
      m.corner_vertex.push_back(F(f, k));
      m.corner_uv.push_back(-1);
    }
    m.poly_start.push_back(int(m.corner_vertex.size()));
    m.poly_group.push_back(-1);
    m.poly_material.push_back(-1);
  }
  return m;
}

// An ICT identity re-meshed to ~700 vertices, neutral + 3 expressions, in centimetres.
void write_sequence(const std::string& dir) {
  IctModel ict = load_ict_model(kModel);
  std::vector<int32_t> t = ict.triangles();
  Eigen::MatrixXi F(int64_t(t.size() / 3), 3);
  for (int64_t i = 0; i < F.rows(); ++i)
    for (int k = 0; k < 3; ++k) F(i, k) = t[3 * i + k];
  auto matrix = [](const std::vector<float>& p) {
    Eigen::MatrixXd V(int64_t(p.size() / 3), 3);
    for (int64_t i = 0; i < V.rows(); ++i)
      for (int k = 0; k < 3; ++k) V(i, k) = p[3 * i + k];
    return V;
  };
  std::vector<float> w_id(100, 0.0f);
  w_id[3] = 1.5f;
  Eigen::MatrixXd V2, B2, frame;
  Eigen::MatrixXi F2;
  Eigen::VectorXi I2;
  RemeshOptions ro;
  ro.target_vertices = 700;
  remesh(matrix(ict.shape(w_id, {})), F, ro, V2, F2, I2, B2);
  std::filesystem::create_directories(dir);
  geo::write_obj(dir + "/neutral.obj", triangle_mesh(V2, F2));
  for (int e : {10, 26, 45}) {
    std::vector<float> w(53, 0.0f);
    w[e] = 1.0f;
    barycentric_transfer(F, I2, B2, matrix(ict.shape(w_id, w)), frame);
    geo::write_obj(dir + "/frame_" + std::to_string(e) + ".obj", triangle_mesh(frame, F2));
  }
}
}  // namespace

TEST_CASE("unlabelled OBJ sequences train with the decoder and range losses", "[train][userdata]") {
  const std::string dir = "user_sequence_test";
  std::filesystem::remove_all(dir);
  write_sequence(dir);
  IctModel ict = load_ict_model(kModel);
  std::unique_ptr<UserSequence> s = load_user_sequence(dir, ict, 16, Device::CPU);
  CHECK(s->frames.size() == 3);
  CHECK(s->topology.num_vertices > 600);
  CHECK(s->neutral.topology == &s->topology);

  TrainConfig c;
  c.model.width = 8;
  c.model.id_blocks = c.model.exp_blocks = c.model.skin_blocks = 1;
  c.model.eigenpairs = 16;
  c.model.skin_hidden = 16;
  c.model.decoder_hidden = 32;
  c.model.decoder_groups = 8;
  c.model.decoder_hidden_layers = 2;
  c.device = "cpu";
  c.batch = 2;
  c.train_identities = 1;
  c.ict_topology = false;
  c.remesh_vertices = {600};
  c.user_data = {dir};
  c.user_data_ratio = 1.0f;  // every step from the user data
  c.ict_model = kModel;
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
