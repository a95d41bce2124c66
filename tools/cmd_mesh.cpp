// nfs_tools render / operators / remesh / ict-shape: the geometry module from the command line.
#include <chrono>
#include <cstdio>
#include <string>

#include "geometry/image_io.h"
#include "geometry/mesh_arrays.h"
#include "geometry/operator_io.h"
#include "geometry/remesh.h"
#include "geometry/render.h"
#include "geometry/write_obj.h"
#include "infer/canonical_mesh.h"
#include "nn/safetensors.h"
#include "tools/commands.h"

namespace nfs {

namespace {

std::set<std::string> with_align(std::set<std::string> flags) {
  flags.insert(align_flags().begin(), align_flags().end());
  return flags;
}

IctModel model_from(const CliArgs& args) {
  return load_ict_model(args.get("--ict-model", default_ict_model_path()));
}



double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int cmd_render(int argc, char** argv) {
  CliArgs args(argc, argv, 2, with_align({"-o", "--ict-model"}), {"--help", "--normalize", "--side"});
  if (args.has("--help") || args.positional().size() != 1) {
    std::printf(
        "usage: nfs_tools render MESH.obj -o OUT.png [--normalize [alignment flags]] [--side]\n"
        "  The 256x256 front view the image encoder sees. Without --normalize the mesh is taken as\n"
        "  already in the canonical frame; with it, it is aligned first (SPEC §5). --side adds a side view.\n");
    return args.has("--help") ? 0 : 2;
  }
  const std::string path = args.positional()[0], out = args.require("-o");
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  if (args.has("--normalize")) {
    CanonicalMesh c = load_canonical_mesh(path, align_options_from_args(args), model_from(args));
    V = c.V;
    F = c.mesh.F;
  } else {
    geo::TriangleMesh m;
    load_any_mesh(path, m);  // OBJ or glTF, like every other mesh input
    V = m.V();
    F = m.F;
  }
  const RasterCamera cam = canonical_camera();
  Tensor faces = triangles_tensor(F);
  Tensor front = render_front(points_tensor(V), faces, cam).reshape({3, cam.height, cam.width});
  if (args.has("--side")) {
    Eigen::MatrixXd S(V.rows(), 3);
    S.col(0) = -V.col(2);
    S.col(1) = V.col(1);
    S.col(2) = V.col(0);
    Tensor side = render_front(points_tensor(S), faces, cam).reshape({3, cam.height, cam.width});
    front = hstack_images({front, side});
  }
  write_png(out, front);
  std::printf("%s: %lld vertices, %lld triangles -> %s\n", path.c_str(), (long long)V.rows(), (long long)F.rows(),
              out.c_str());
  return 0;
}

int cmd_operators(int argc, char** argv) {
  CliArgs args(argc, argv, 2, with_align({"-o", "--k", "--ict-model", "--preview"}), {"--help"});
  if (args.has("--help") || args.positional().size() != 1) {
    std::printf(
        "usage: nfs_tools operators MESH.obj -o OUT.safetensors [--k 128] [alignment flags] [--preview PNG]\n"
        "  Aligns the mesh into the canonical frame (--align none if it already is) and writes its\n"
        "  operators in canonical units: mass, L (CSR: L_indptr, L_indices, L_data), evals, evecs,\n"
        "  gradX, gradY (CSR), frames. Format: docs/ARCHITECTURE.md.\n");
    return args.has("--help") ? 0 : 2;
  }
  const std::string path = args.positional()[0], out = args.require("-o");
  const int k = args.get_int("--k", geo::kDefaultEigenpairs);
  IctModel model = model_from(args);
  auto t0 = std::chrono::steady_clock::now();
  CanonicalMesh c = load_canonical_mesh(path, align_options_from_args(args), model);
  const double t_align = seconds_since(t0);
  for (const std::string& w : c.mesh.report.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (args.has("--preview")) write_alignment_preview(args.get("--preview"), c, model);
  t0 = std::chrono::steady_clock::now();
  geo::MeshOperators ops;
  geo::compute_mesh_operators(c.V, c.mesh.F, k, ops);
  const double t_ops = seconds_since(t0);
  write_operators(out, ops, c.mesh.F.rows());
  std::printf("%s: %lld vertices, k = %d; aligned in %.2f s (scale %.4g), operators in %.2f s -> %s\n", path.c_str(),
              (long long)c.V.rows(), k, t_align, c.to_canonical.s, t_ops, out.c_str());
  return 0;
}

int cmd_remesh(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"-o", "--vertices", "--map", "--seed"}, {"--help", "--uniform"});
  if (args.has("--help") || args.positional().size() != 1) {
    std::printf(
        "usage: nfs_tools remesh MESH.obj --vertices N -o OUT.obj [--map MAP.safetensors] [--seed S] [--uniform]\n"
        "  A new triangle mesh of about N vertices on the same surface: new points, not a subset of the\n"
        "  old vertices, same holes and orientation. --map writes, per new vertex, the input triangle it\n"
        "  lies in (triangle, I32 [N]), its barycentric coordinates (barycentric, F32 [N, 3]) and the input's\n"
        "  triangulation (input_triangles, I32 [F, 3]) so any per-vertex data carries over.\n");
    return args.has("--help") ? 0 : 2;
  }
  const std::string path = args.positional()[0], out = args.require("-o");
  geo::TriangleMesh m;
  load_any_mesh(path, m);
  RemeshOptions opt;
  opt.target_vertices = args.get_int("--vertices", 10000);
  opt.seed = uint64_t(args.get_int("--seed", 0));
  opt.adaptive = !args.has("--uniform");
  auto t0 = std::chrono::steady_clock::now();
  Eigen::MatrixXd V2, B2;
  Eigen::MatrixXi F2;
  Eigen::VectorXi I2;
  remesh(m.V(), m.F, opt, V2, F2, I2, B2);
  const double t = seconds_since(t0);
  const geo::PolygonMesh out_mesh = triangle_polygons(V2, F2);
  if (args.has("--map")) {
    std::vector<int32_t> tri(I2.data(), I2.data() + I2.size());
    std::vector<float> bary(static_cast<size_t>(B2.rows() * 3));
    for (int64_t i = 0; i < B2.rows(); ++i)
      for (int k = 0; k < 3; ++k) bary[i * 3 + k] = float(B2(i, k));
    write_safetensors(args.get("--map"),
                      {{"triangle", Tensor::from_ints({int64_t(tri.size())}, tri)},
                       {"barycentric", Tensor::from_vector({B2.rows(), 3}, bary)},
                       {"input_triangles", triangles_tensor(m.F)}},
                      {{"input", path}});
  }
  geo::write_obj(out, out_mesh);
  std::printf("%s: %lld vertices -> %lld vertices, %lld triangles in %.2f s -> %s\n", path.c_str(),
              (long long)m.V().rows(), (long long)V2.rows(), (long long)F2.rows(), t, out.c_str());
  return 0;
}

int cmd_ict_shape(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"-o", "--identity", "--expression"}, {"--help", "--canonical"});
  if (args.has("--help") || args.positional().size() != 1) {
    std::printf(
        "usage: nfs_tools ict-shape ASSET.safetensors -o OUT.obj [--identity J=W ...] [--expression NAME=W ...]\n"
        "       [--canonical]\n"
        "  A mesh of the ICT linear model (face + head/neck region, quads): neutral + identity and\n"
        "  expression shapes at the given weights. Centimetres, or the canonical frame with --canonical.\n");
    return args.has("--help") ? 0 : 2;
  }
  IctModel model = load_ict_model(args.positional()[0]);
  std::vector<float> w_id(size_t(model.num_identities()), 0.0f), w_exp(size_t(model.num_expressions()), 0.0f);
  auto split = [](const std::string& s, const std::string& flag) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos) throw std::invalid_argument(flag + ": expected NAME=WEIGHT, got '" + s + "'");
    return std::make_pair(s.substr(0, eq), parse_double(s.substr(eq + 1), flag));
  };
  for (const std::string& s : args.all("--identity")) {
    auto [j, w] = split(s, "--identity");
    const int index = parse_int(j, "--identity");
    if (index < 0 || index >= model.num_identities()) throw std::invalid_argument("--identity: no identity " + j);
    w_id[index] = float(w);
  }
  for (const std::string& s : args.all("--expression")) {
    auto [name, w] = split(s, "--expression");
    const int index = model.expression_index(name);
    if (index < 0) throw std::invalid_argument("--expression: no expression named '" + name + "'");
    w_exp[index] = float(w);
  }
  std::vector<float> P = model.shape(w_id, w_exp);
  if (args.has("--canonical")) model.to_canonical(P);
  geo::PolygonMesh mesh;
  mesh.V.resize(model.num_vertices, 3);
  for (int64_t i = 0; i < model.num_vertices; ++i)
    for (int k = 0; k < 3; ++k) mesh.V(i, k) = P[3 * i + k];
  for (size_t q = 0; q < model.quads.size(); q += 4) {
    for (int k = 0; k < 4; ++k) {
      mesh.corner_vertex.push_back(model.quads[q + k]);
      mesh.corner_uv.push_back(-1);
    }
    mesh.poly_start.push_back(int(mesh.corner_vertex.size()));
    mesh.poly_group.push_back(-1);
    mesh.poly_material.push_back(-1);
  }
  const std::string out = args.require("-o");
  geo::write_obj(out, mesh);
  std::printf("ICT shape (%lld vertices) -> %s\n", (long long)model.num_vertices, out.c_str());
  return 0;
}

}  // namespace nfs
