// nfs_tools demo-data: the bundled demo of README's first command, made reproducibly from the ICT
// model: a target that is not the ICT topology (another identity, re-meshed, in metres and
// turned 15° to show the alignment), an expression sequence of a third identity on a third
// topology, and the sequence's weights as a CSV take.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "geometry/mesh_arrays.h"
#include "geometry/remesh.h"
#include "geometry/write_obj.h"
#include "infer/cli.h"
#include "infer/weights_csv.h"
#include "tools/commands.h"
#include "train/ict_model.h"

namespace nfs {


int cmd_demo_data(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"-o", "--frames"}, {"--help"});
  if (args.has("--help") || args.positional().size() != 1) {
    std::printf("usage: nfs_tools demo-data ASSET.safetensors -o DIR [--frames 24]\n"
                "  Writes DIR/target.obj, DIR/sequence/frame_NNNN.obj and DIR/take.csv (see docs/USAGE.md).\n");
    return args.has("--help") ? 0 : 2;
  }
  IctModel ict = load_ict_model(args.positional()[0]);
  const std::string dir = args.require("-o");
  const int frames = args.get_int("--frames", 24);
  std::filesystem::create_directories(dir + "/sequence");
  const Eigen::MatrixXi F = triangles_matrix(ict.triangles());

  // Target: identity with strong features, re-meshed to 3k vertices, metres, turned 15° about Y.
  std::vector<float> w_target(size_t(ict.num_identities()), 0.0f);
  w_target[0] = 2.0f;
  w_target[7] = -1.5f;
  w_target[12] = 1.5f;
  Eigen::MatrixXd V2, B2;
  Eigen::MatrixXi F2;
  Eigen::VectorXi I2;
  RemeshOptions ro;
  ro.target_vertices = 3000;
  ro.seed = 11;
  remesh(points_matrix(ict.shape(w_target, {})), F, ro, V2, F2, I2, B2);
  const double a = 15.0 * M_PI / 180.0;
  Eigen::Matrix3d R;
  R << std::cos(a), 0, std::sin(a), 0, 1, 0, -std::sin(a), 0, std::cos(a);
  geo::write_obj(dir + "/target.obj", triangle_polygons((V2 * R.transpose()) * 0.01, F2));

  // Source: another identity on a 2k-vertex re-mesh, a take of smooth weights (centimetres).
  std::vector<float> w_source(size_t(ict.num_identities()), 0.0f);
  w_source[3] = -1.0f;
  w_source[20] = 1.0f;
  ro.target_vertices = 2000;
  ro.seed = 12;
  Eigen::MatrixXd S, frame;
  Eigen::MatrixXi FS;
  Eigen::VectorXi IS;
  Eigen::MatrixXd BS;
  remesh(points_matrix(ict.shape(w_source, {})), F, ro, S, FS, IS, BS);
  const int E = int(ict.num_expressions());
  std::vector<float> take;
  for (int f = 0; f < frames; ++f) {
    const double s = double(f) / std::max(1, frames - 1);
    std::vector<float> w(size_t(E), 0.0f);
    auto set = [&](const char* name, double v) { w[ict.expression_index(name)] = float(std::clamp(v, 0.0, 1.0)); };
    set("jawOpen", 0.8 * std::sin(M_PI * s));
    set("mouthSmile_L", 0.9 * std::sin(2 * M_PI * s) > 0 ? 0.9 * std::sin(2 * M_PI * s) : 0.0);
    set("mouthSmile_R", 0.9 * std::sin(2 * M_PI * s) > 0 ? 0.9 * std::sin(2 * M_PI * s) : 0.0);
    set("eyeBlink_L", s > 0.45 && s < 0.6 ? 1.0 : 0.0);
    set("eyeBlink_R", s > 0.45 && s < 0.6 ? 1.0 : 0.0);
    set("browInnerUp_L", 0.7 * std::sin(M_PI * s));
    set("browInnerUp_R", 0.7 * std::sin(M_PI * s));
    take.insert(take.end(), w.begin(), w.end());
    barycentric_transfer(F, IS, BS, points_matrix(ict.shape(w_source, w)), frame);
    char name[64];
    std::snprintf(name, sizeof(name), "/sequence/frame_%04d.obj", f);
    geo::write_obj(dir + name, triangle_polygons(frame, FS));
  }
  write_weights_csv(dir + "/take.csv", take, frames, WeightsNaming::Arkit);
  std::printf("demo data: target %lld vertices, sequence of %d frames with %lld vertices -> %s\n",
              (long long)V2.rows(), frames, (long long)S.rows(), dir.c_str());
  return 0;
}

}  // namespace nfs
