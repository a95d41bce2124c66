#include "infer/gltf_export.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "geometry/vertex_normals.h"
#include "infer/tinygltf.h"
#include "nn/safetensors.h"  // write_file_atomic

namespace nfs {
namespace {

[[noreturn]] void bad(const std::string& label, const std::string& problem) {
  throw std::invalid_argument(label + ": " + problem);
}

void check_finite(const std::vector<float>& v, const std::string& label, const std::string& what) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      bad(label, what + " holds a non-finite value at " + std::to_string(i));
}

void check_size(const std::vector<float>& v, size_t expected, const std::string& label,
                const std::string& what) {
  if (v.size() != expected)
    bad(label, what + " has " + std::to_string(v.size()) + " values, expected " +
                   std::to_string(expected));
}

void validate(const GltfMesh& m, const std::string& label) {
  if (m.positions.empty() || m.positions.size() % 3 != 0)
    bad(label, "positions must be a non-empty [V, 3] array");
  const size_t V = m.positions.size() / 3;
  if (m.triangles.empty() || m.triangles.size() % 3 != 0)
    bad(label, "triangles must be a non-empty [F, 3] array");
  for (uint32_t i : m.triangles)
    if (i >= V) bad(label, "triangle index " + std::to_string(i) + " out of " + std::to_string(V));
  check_finite(m.positions, label, "positions");
  if (!m.normals.empty()) {
    check_size(m.normals, V * 3, label, "normals");
    check_finite(m.normals, label, "normals");
  }
  if (!m.uvs.empty()) {
    check_size(m.uvs, V * 2, label, "UVs");
    check_finite(m.uvs, label, "UVs");
  }
  const size_t T = m.targets.size();
  const bool target_normals = T > 0 && !m.targets[0].normal_deltas.empty();
  for (size_t t = 0; t < T; ++t) {
    const std::string what = "morph target " + std::to_string(t) + " ('" + m.targets[t].name + "')";
    check_size(m.targets[t].position_deltas, V * 3, label, what + " position deltas");
    check_finite(m.targets[t].position_deltas, label, what + " position deltas");
    if (m.targets[t].normal_deltas.empty() == target_normals)
      bad(label, what + ": either every target carries normal deltas or none does");
    if (target_normals) {
      check_size(m.targets[t].normal_deltas, V * 3, label, what + " normal deltas");
      check_finite(m.targets[t].normal_deltas, label, what + " normal deltas");
    }
  }
  if (!m.default_weights.empty()) {
    check_size(m.default_weights, T, label, "default weights");
    check_finite(m.default_weights, label, "default weights");
  }
  if (m.has_animation) {
    const auto& a = m.animation;
    if (T == 0) bad(label, "a weight animation needs morph targets");
    if (a.times.empty()) bad(label, "animation has no keys");
    check_finite(a.times, label, "animation times");
    for (size_t k = 1; k < a.times.size(); ++k)
      if (!(a.times[k] > a.times[k - 1]))
        bad(label, "animation key times must increase (key " + std::to_string(k) + ")");
    check_size(a.weights, a.times.size() * T, label, "animation weights");
    check_finite(a.weights, label, "animation weights");
  }
}

// Builds the tinygltf model: one buffer, one buffer view per accessor (4-byte aligned).
class ModelBuilder {
 public:
  tinygltf::Model model;

  ModelBuilder() {
    model.asset.version = "2.0";
    model.asset.generator = "nfs (Neural Face Skinning engine)";
    model.buffers.emplace_back();
  }

  int view(const void* data, size_t bytes, int target) {
    auto& buf = model.buffers[0].data;
    buf.resize((buf.size() + 3) / 4 * 4, 0);
    tinygltf::BufferView v;
    v.buffer = 0;
    v.byteOffset = buf.size();
    v.byteLength = bytes;
    v.target = target;
    const auto* p = static_cast<const unsigned char*>(data);
    buf.insert(buf.end(), p, p + bytes);
    model.bufferViews.push_back(v);
    return int(model.bufferViews.size()) - 1;
  }

  // A float accessor of `count` elements of `components` floats, optionally with min/max.
  int floats(const std::vector<float>& data, int type, int components, int target, bool min_max) {
    tinygltf::Accessor a;
    a.bufferView = view(data.data(), data.size() * sizeof(float), target);
    a.componentType = TINYGLTF_COMPONENT_TYPE_FLOAT;
    a.type = type;
    a.count = data.size() / components;
    if (min_max) {
      a.minValues.assign(components, std::numeric_limits<double>::infinity());
      a.maxValues.assign(components, -std::numeric_limits<double>::infinity());
      for (size_t i = 0; i < data.size(); ++i) {
        const int c = int(i % components);
        a.minValues[c] = std::min(a.minValues[c], double(data[i]));
        a.maxValues[c] = std::max(a.maxValues[c], double(data[i]));
      }
    }
    model.accessors.push_back(a);
    return int(model.accessors.size()) - 1;
  }

  int indices(const std::vector<uint32_t>& tri, size_t num_vertices) {
    tinygltf::Accessor a;
    if (num_vertices <= 65535) {  // 65535 is the primitive-restart value: never an index
      std::vector<uint16_t> small(tri.begin(), tri.end());
      a.bufferView = view(small.data(), small.size() * 2, TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER);
      a.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT;
    } else {
      a.bufferView = view(tri.data(), tri.size() * 4, TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER);
      a.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT;
    }
    a.type = TINYGLTF_TYPE_SCALAR;
    a.count = tri.size();
    model.accessors.push_back(a);
    return int(model.accessors.size()) - 1;
  }
};

tinygltf::Model build_model(const GltfMesh& m) {
  ModelBuilder b;
  const int kArray = TINYGLTF_TARGET_ARRAY_BUFFER;
  tinygltf::Primitive prim;
  prim.mode = TINYGLTF_MODE_TRIANGLES;
  prim.attributes["POSITION"] = b.floats(m.positions, TINYGLTF_TYPE_VEC3, 3, kArray, true);
  if (!m.normals.empty())
    prim.attributes["NORMAL"] = b.floats(m.normals, TINYGLTF_TYPE_VEC3, 3, kArray, false);
  if (!m.uvs.empty())
    prim.attributes["TEXCOORD_0"] = b.floats(m.uvs, TINYGLTF_TYPE_VEC2, 2, kArray, false);
  prim.indices = b.indices(m.triangles, m.positions.size() / 3);

  tinygltf::Mesh mesh;
  mesh.name = m.name;
  if (!m.targets.empty()) {
    tinygltf::Value::Array names;
    for (const auto& t : m.targets) {
      std::map<std::string, int> target;
      target["POSITION"] = b.floats(t.position_deltas, TINYGLTF_TYPE_VEC3, 3, kArray, true);
      if (!t.normal_deltas.empty())
        target["NORMAL"] = b.floats(t.normal_deltas, TINYGLTF_TYPE_VEC3, 3, kArray, false);
      prim.targets.push_back(target);
      names.emplace_back(t.name);
    }
    tinygltf::Value::Object extras;
    extras["targetNames"] = tinygltf::Value(names);
    mesh.extras = tinygltf::Value(extras);
    mesh.weights.assign(m.targets.size(), 0.0);
    for (size_t t = 0; t < m.default_weights.size(); ++t) mesh.weights[t] = m.default_weights[t];
  }
  mesh.primitives.push_back(prim);
  b.model.meshes.push_back(mesh);

  tinygltf::Node node;
  node.name = m.name;
  node.mesh = 0;
  b.model.nodes.push_back(node);
  tinygltf::Scene scene;
  scene.nodes.push_back(0);
  b.model.scenes.push_back(scene);
  b.model.defaultScene = 0;

  if (m.has_animation) {
    tinygltf::AnimationSampler s;
    s.input = b.floats(m.animation.times, TINYGLTF_TYPE_SCALAR, 1, 0, true);  // min/max required
    s.output = b.floats(m.animation.weights, TINYGLTF_TYPE_SCALAR, 1, 0, false);
    s.interpolation = "LINEAR";
    tinygltf::AnimationChannel c;
    c.sampler = 0;
    c.target_node = 0;
    c.target_path = "weights";
    tinygltf::Animation anim;
    anim.name = m.animation.name;
    anim.samplers.push_back(s);
    anim.channels.push_back(c);
    b.model.animations.push_back(anim);
  }
  b.model.buffers[0].data.resize((b.model.buffers[0].data.size() + 3) / 4 * 4, 0);
  return std::move(b.model);
}

std::string lower_extension(const std::string& path) {
  const size_t dot = path.find_last_of('.');
  const size_t slash = path.find_last_of("/\\");
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// Area-weighted vertex normals of positions [#V, 3] on the layout's mesh triangles, [#V, 3].
Eigen::MatrixXd mesh_normals(const GltfVertexLayout& layout, const std::vector<float>& positions) {
  Eigen::MatrixXd V(layout.num_mesh_vertices, 3);
  for (int i = 0; i < layout.num_mesh_vertices; ++i)
    for (int c = 0; c < 3; ++c) V(i, c) = positions[size_t(i) * 3 + c];
  Eigen::MatrixXd N;
  geo::vertex_normals(V, layout.mesh_triangles, N);
  return N;
}

void check_mesh_positions(const GltfVertexLayout& layout, const std::vector<float>& p,
                          const std::string& what) {
  if (p.size() != size_t(layout.num_mesh_vertices) * 3)
    throw std::invalid_argument("glTF export: " + what + " has " + std::to_string(p.size()) +
                                " values for " + std::to_string(layout.num_mesh_vertices) +
                                " vertices x 3");
}

// A target: `delta` [#V, 3] = `shape` [#V, 3] − base positions, both in mesh vertex order.
GltfMorphTarget make_target(const GltfVertexLayout& layout, const GltfMesh& base,
                            const std::vector<float>& delta, const std::vector<float>& shape,
                            const std::string& name, bool with_normals) {
  GltfMorphTarget t;
  t.name = name;
  t.position_deltas = layout.gather(delta, 3);
  if (with_normals) {
    t.normal_deltas = layout.gather(mesh_normals(layout, shape));
    for (size_t i = 0; i < t.normal_deltas.size(); ++i) t.normal_deltas[i] -= base.normals[i];
  }
  return t;
}

}  // namespace

std::vector<std::string> GltfMesh::target_names() const {
  std::vector<std::string> names;
  for (const auto& t : targets) names.push_back(t.name);
  return names;
}

std::string serialize_gltf(const GltfMesh& mesh, bool binary, const std::string& label) {
  validate(mesh, label);
  tinygltf::Model model = build_model(mesh);
  tinygltf::TinyGLTF gltf;
  std::ostringstream out;
  if (!gltf.WriteGltfSceneToStream(&model, out, /*prettyPrint=*/!binary, binary))
    throw std::runtime_error(label + ": glTF serialization failed");
  return out.str();
}

void write_gltf(const std::string& path, const GltfMesh& mesh) {
  const std::string ext = lower_extension(path);
  if (ext != ".glb" && ext != ".gltf")
    throw std::invalid_argument(path + ": unknown glTF extension (use .glb or .gltf)");
  write_file_atomic(path, serialize_gltf(mesh, ext == ".glb", path));
}

std::vector<float> frame_times(int num_frames, double fps) {
  if (!(fps > 0) || !std::isfinite(fps))
    throw std::invalid_argument("frame rate must be a positive number, got " + std::to_string(fps));
  std::vector<float> t(std::max(0, num_frames));
  for (int k = 0; k < num_frames; ++k) t[k] = float(k / fps);
  return t;
}

GltfMesh gltf_base_mesh(const GltfVertexLayout& layout, const std::vector<float>& positions,
                        bool with_normals) {
  check_mesh_positions(layout, positions, "base positions");
  GltfMesh m;
  m.positions = layout.gather(positions, 3);
  m.triangles = layout.triangles;
  m.uvs = layout.uv;
  if (with_normals) m.normals = layout.gather(mesh_normals(layout, positions));
  return m;
}

GltfMesh gltf_blendshape_rig(const GltfVertexLayout& layout, const std::vector<float>& neutral,
                             const std::vector<float>& deltas,
                             const std::vector<std::string>& names, bool with_normals) {
  GltfMesh m = gltf_base_mesh(layout, neutral, with_normals);
  const size_t per_target = size_t(layout.num_mesh_vertices) * 3;
  if (deltas.size() != names.size() * per_target)
    throw std::invalid_argument("glTF rig: " + std::to_string(deltas.size()) +
                                " delta values for " + std::to_string(names.size()) +
                                " targets x " + std::to_string(layout.num_mesh_vertices) +
                                " vertices x 3");
  std::vector<float> delta(per_target), shape(per_target);
  for (size_t t = 0; t < names.size(); ++t) {
    std::copy(deltas.begin() + t * per_target, deltas.begin() + (t + 1) * per_target,
              delta.begin());
    for (size_t i = 0; i < per_target; ++i) shape[i] = neutral[i] + delta[i];
    m.targets.push_back(make_target(layout, m, delta, shape, names[t], with_normals));
  }
  m.default_weights.assign(names.size(), 0.0f);
  return m;
}

void set_weight_animation(GltfMesh& mesh, const std::vector<float>& weights, int num_frames,
                          double fps) {
  const size_t T = mesh.targets.size();
  if (num_frames <= 0 || weights.size() != size_t(num_frames) * T)
    throw std::invalid_argument("glTF animation: " + std::to_string(weights.size()) +
                                " weights for " + std::to_string(num_frames) + " frames x " +
                                std::to_string(T) + " targets");
  mesh.has_animation = true;
  mesh.animation.times = frame_times(num_frames, fps);
  mesh.animation.weights = weights;
}

GltfMesh gltf_sequence_as_targets(const GltfVertexLayout& layout, const std::vector<float>& neutral,
                                  const std::vector<float>& frames, int num_frames, double fps,
                                  bool with_normals) {
  GltfMesh m = gltf_base_mesh(layout, neutral, with_normals);
  const size_t per_frame = size_t(layout.num_mesh_vertices) * 3;
  if (num_frames <= 0 || frames.size() != size_t(num_frames) * per_frame)
    throw std::invalid_argument("glTF sequence: " + std::to_string(frames.size()) + " values for " +
                                std::to_string(num_frames) + " frames x " +
                                std::to_string(layout.num_mesh_vertices) + " vertices x 3");
  std::vector<float> delta(per_frame), shape(per_frame);
  for (int k = 0; k < num_frames; ++k) {
    std::copy(frames.begin() + k * per_frame, frames.begin() + (k + 1) * per_frame, shape.begin());
    for (size_t i = 0; i < per_frame; ++i) delta[i] = shape[i] - neutral[i];
    char name[32];
    std::snprintf(name, sizeof(name), "frame_%05d", k);
    m.targets.push_back(make_target(layout, m, delta, shape, name, with_normals));
  }
  std::vector<float> one_hot(size_t(num_frames) * num_frames, 0.0f);
  for (int k = 0; k < num_frames; ++k) one_hot[size_t(k) * num_frames + k] = 1.0f;
  set_weight_animation(m, one_hot, num_frames, fps);
  m.default_weights.assign(num_frames, 0.0f);
  m.default_weights[0] = 1.0f;
  return m;
}

void scale_positions(GltfMesh& mesh, float s) {
  for (float& x : mesh.positions) x *= s;
  for (auto& t : mesh.targets)
    for (float& x : t.position_deltas) x *= s;
}

}  // namespace nfs
