#include "infer/canonical_mesh.h"

#include <cctype>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "geometry/image_io.h"
#include "geometry/mesh_arrays.h"
#include "geometry/render.h"
#include "infer/gltf_read.h"

namespace nfs {

const AlignReference& ict_align_reference(const IctModel& model) {
  static std::map<std::string, std::unique_ptr<AlignReference>> cache;
  auto& slot = cache[model.path];
  if (!slot) {
    std::vector<float> P = model.neutral;
    model.to_canonical(P);
    slot = std::make_unique<AlignReference>(points_matrix(P), triangles_matrix(model.triangles()));
  }
  return *slot;
}

namespace {
bool is_gltf_file(const std::string& path) {
  std::string e = path.substr(path.find_last_of('.') == std::string::npos ? path.size() : path.find_last_of('.'));
  for (char& ch : e) ch = char(std::tolower(ch));
  return e == ".glb" || e == ".gltf";
}
}  // namespace

void load_any_mesh(const std::string& path, geo::TriangleMesh& mesh) {
  if (!is_gltf_file(path)) return geo::load_mesh(path, mesh);
  GltfMesh g = read_gltf(path);
  std::vector<int32_t> t(g.triangles.begin(), g.triangles.end());
  mesh = geo::TriangleMesh();
  mesh.poly = triangle_polygons(points_matrix(g.positions), triangles_matrix(t));
  Eigen::VectorXi kept;
  geo::check_mesh(path, mesh.poly.V, triangles_matrix(t), mesh.F, kept, mesh.report);
  mesh.F_poly = kept;
}

std::vector<Eigen::MatrixXd> source_frames(const std::string& path) {
  if (!is_gltf_file(path)) {
    geo::TriangleMesh m;
    geo::load_mesh(path, m);
    return {m.V()};
  }
  GltfMesh g = read_gltf(path);
  const size_t n = g.positions.size();
  auto pose = [&](const float* w) {
    std::vector<float> p = g.positions;
    for (size_t k = 0; k < g.targets.size(); ++k)
      if (w[k] != 0.0f)
        for (size_t i = 0; i < n; ++i) p[i] += w[k] * g.targets[k].position_deltas[i];
    return points_matrix(p);
  };
  std::vector<Eigen::MatrixXd> frames;
  const size_t T = g.targets.size();
  if (g.has_animation && T > 0) {
    for (size_t key = 0; key < g.animation.times.size(); ++key) frames.push_back(pose(&g.animation.weights[key * T]));
  } else {
    std::vector<float> w(T, 0.0f);
    frames.push_back(points_matrix(g.positions));
    for (size_t k = 0; k < T; ++k) {
      w.assign(T, 0.0f);
      w[k] = 1.0f;
      frames.push_back(pose(w.data()));
    }
  }
  return frames;
}

CanonicalMesh load_canonical_mesh(const std::string& path, const AlignOptions& options, const IctModel& model) {
  geo::TriangleMesh mesh;
  load_any_mesh(path, mesh);
  return canonical_mesh(std::move(mesh), path, options, model);
}

CanonicalMesh canonical_mesh(geo::TriangleMesh mesh, const std::string& name, const AlignOptions& options,
                             const IctModel& model) {
  CanonicalMesh c;
  c.mesh = std::move(mesh);
  try {
    align_to_canonical(ict_align_reference(model), c.mesh.V(), c.mesh.F, options, c.to_canonical, c.to_user, &c.report);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(name + ": cannot align (" + e.what() + ")");
  }
  c.V = c.to_canonical.apply(c.mesh.V());
  return c;
}

Eigen::Vector3d parse_axis(const std::string& s, const std::string& flag) {
  const bool neg = !s.empty() && s[0] == '-';
  const std::string a = neg ? s.substr(1) : s;
  Eigen::Vector3d v = Eigen::Vector3d::Zero();
  if (a == "x") v.x() = 1;
  else if (a == "y") v.y() = 1;
  else if (a == "z") v.z() = 1;
  else throw std::invalid_argument(flag + ": '" + s + "' is not an axis (x, y, z, -x, -y, -z)");
  return neg ? -v : v;
}

AlignMode parse_align_mode(const std::string& mode, const std::string& what) {
  if (mode == "auto") return AlignMode::kAuto;
  if (mode == "bbox") return AlignMode::kBoundingBox;
  if (mode == "none") return AlignMode::kNone;
  throw std::invalid_argument(what + ": '" + mode + "' (expected auto, bbox or none)");
}

const std::set<std::string>& align_flags() {
  static const std::set<std::string> f = {"--align", "--up", "--forward", "--scale", "--offset"};
  return f;
}

AlignOptions align_options_from_args(const CliArgs& args) {
  AlignOptions o;
  o.mode = parse_align_mode(args.get("--align", "auto"), "--align");
  if (args.has("--up")) o.up = parse_axis(args.get("--up"), "--up");
  if (args.has("--forward")) o.forward = parse_axis(args.get("--forward"), "--forward");
  if (args.has("--scale")) o.scale = parse_double(args.get("--scale"), "--scale");
  if (args.has("--offset")) {
    std::stringstream ss(args.get("--offset"));
    Eigen::Vector3d t;
    std::string part;
    for (int k = 0; k < 3; ++k) {
      if (!std::getline(ss, part, ',')) throw std::invalid_argument("--offset: expected X,Y,Z");
      t[k] = parse_double(part, "--offset");
    }
    o.offset = t;
  }
  return o;
}

void write_alignment_preview(const std::string& path, const CanonicalMesh& mesh, const IctModel& model) {
  std::vector<float> P = model.neutral;
  model.to_canonical(P);
  std::vector<int32_t> F = model.triangles();
  const int64_t n_ict = model.num_vertices;
  std::vector<float> colors(P.size(), 0.6f);
  for (int64_t i = 0; i < mesh.V.rows(); ++i) {
    for (int k = 0; k < 3; ++k) P.push_back(float(mesh.V(i, k)));
    colors.insert(colors.end(), {1.0f, 0.55f, 0.1f});
  }
  for (int64_t f = 0; f < mesh.mesh.F.rows(); ++f)
    for (int k = 0; k < 3; ++k) F.push_back(int32_t(n_ict + mesh.mesh.F(f, k)));
  const int64_t V = int64_t(P.size() / 3);
  Tensor faces = Tensor::from_ints({int64_t(F.size() / 3), 3}, F);
  const RasterCamera cam = canonical_camera();
  Tensor front = render_colored(Tensor::from_vector({V, 3}, P), faces, colors, cam);
  Tensor side = render_colored(Tensor::from_vector({V, 3}, rotate_y(P, -90.0f)), faces, colors, cam);
  write_png(path, hstack_images({front, side}));
}

}  // namespace nfs
