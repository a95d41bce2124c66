#include "infer/gltf_read.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "infer/tinygltf.h"

namespace nfs {
namespace {

[[noreturn]] void fail(const std::string& label, const std::string& problem) {
  throw std::runtime_error(label + ": " + problem);
}

// Images are not needed: accept them without decoding.
bool skip_image(tinygltf::Image*, const int, std::string*, std::string*, int, int,
                const unsigned char*, int, void*) {
  return true;
}

// Elements an accessor without a buffer view may have beyond the file's buffer bytes.
constexpr size_t kZeroAccessorSlack = 1024;

// Bounds-checked access to accessor data (byteStride honoured; sparse accessors rejected).
class AccessorReader {
 public:
  AccessorReader(const tinygltf::Model& model, const std::string& label)
      : model_(model), label_(label) {}

  std::vector<float> floats(int index, int type, const std::string& what) const {
    const tinygltf::Accessor& a = accessor(index, what);
    if (a.componentType != TINYGLTF_COMPONENT_TYPE_FLOAT || a.type != type)
      fail(label_, what + ": expected a float accessor of " +
                       std::to_string(tinygltf::GetNumComponentsInType(type)) + " components");
    const int n = tinygltf::GetNumComponentsInType(type);
    const unsigned char* base = data(a, n * 4, what);  // checked before anything is allocated
    std::vector<float> out(a.count * n, 0.0f);
    if (!base) return out;  // no buffer view: zeros (glTF 2.0 §3.6.2.3)
    const size_t stride = stride_of(a, n * 4);
    for (size_t i = 0; i < a.count; ++i) std::memcpy(&out[i * n], base + i * stride, n * 4);
    return out;
  }

  std::vector<uint32_t> indices(int index, const std::string& what) const {
    const tinygltf::Accessor& a = accessor(index, what);
    const int size = a.componentType == TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE    ? 1
                     : a.componentType == TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT ? 2
                     : a.componentType == TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT   ? 4
                                                                                 : 0;
    if (size == 0 || a.type != TINYGLTF_TYPE_SCALAR)
      fail(label_, what + ": expected unsigned scalar indices");
    const unsigned char* base = data(a, size, what);
    std::vector<uint32_t> out(a.count, 0);
    if (!base) return out;
    const size_t stride = stride_of(a, size);
    for (size_t i = 0; i < a.count; ++i) {
      const unsigned char* p = base + i * stride;
      if (size == 1) out[i] = *p;
      if (size == 2) out[i] = uint16_t(p[0] | (p[1] << 8));
      if (size == 4) std::memcpy(&out[i], p, 4);
    }
    return out;
  }

 private:
  const tinygltf::Accessor& accessor(int index, const std::string& what) const {
    if (index < 0 || size_t(index) >= model_.accessors.size())
      fail(label_, what + ": accessor " + std::to_string(index) + " does not exist");
    const tinygltf::Accessor& a = model_.accessors[index];
    if (a.sparse.isSparse) fail(label_, what + ": sparse accessors are not supported");
    return a;
  }

  size_t stride_of(const tinygltf::Accessor& a, size_t element) const {
    const int s = model_.bufferViews[a.bufferView].byteStride;
    return s > 0 ? size_t(s) : element;
  }

  // Start of the accessor's data after checking that every element lies inside its buffer
  // view and buffer; nullptr when the accessor has no buffer view.
  const unsigned char* data(const tinygltf::Accessor& a, size_t element,
                            const std::string& what) const {
    if (a.bufferView < 0) {
      // Zeros, from a count alone: bounded by the file's own data so a forged count cannot
      // allocate gigabytes (kZeroAccessorSlack documents the allowance for tiny files).
      size_t bytes = 0;
      for (const auto& b : model_.buffers) bytes += b.data.size();
      if (a.count > bytes + kZeroAccessorSlack)
        fail(label_, what + ": " + std::to_string(a.count) + " elements without data in a file of " +
                         std::to_string(bytes) + " buffer bytes");
      return nullptr;
    }
    if (size_t(a.bufferView) >= model_.bufferViews.size())
      fail(label_, what + ": buffer view " + std::to_string(a.bufferView) + " does not exist");
    const tinygltf::BufferView& v = model_.bufferViews[a.bufferView];
    if (v.buffer < 0 || size_t(v.buffer) >= model_.buffers.size())
      fail(label_, what + ": buffer " + std::to_string(v.buffer) + " does not exist");
    const auto& buf = model_.buffers[v.buffer].data;
    if (v.byteOffset > buf.size() || v.byteLength > buf.size() - v.byteOffset)
      fail(label_, what + ": buffer view outside its buffer");
    const size_t stride = stride_of(a, element);
    // Element i spans [byteOffset + i·stride, + element); compared without overflow.
    const bool fits = a.count == 0 || (a.byteOffset <= v.byteLength && element <= v.byteLength - a.byteOffset &&
                                       (a.count - 1) <= (v.byteLength - a.byteOffset - element) / stride);
    if (!fits) fail(label_, what + ": accessor outside its buffer view");
    return buf.data() + v.byteOffset + a.byteOffset;
  }

  const tinygltf::Model& model_;
  std::string label_;
};

std::vector<std::string> string_list(const tinygltf::Value& extras, const char* key) {
  std::vector<std::string> out;
  if (!extras.IsObject() || !extras.Has(key)) return out;
  const tinygltf::Value& list = extras.Get(key);
  if (!list.IsArray()) return out;
  for (size_t i = 0; i < list.ArrayLen(); ++i)
    out.push_back(list.Get(int(i)).IsString() ? list.Get(int(i)).Get<std::string>() : "");
  return out;
}

}  // namespace

GltfMesh read_gltf(const std::string& path, std::vector<std::string>* notes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open file (missing or unreadable)");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  if (bytes.empty()) fail(path, "empty file");

  tinygltf::TinyGLTF loader;
  loader.SetImageLoader(&skip_image, nullptr);
  tinygltf::Model model;
  std::string err, warn;
  bool ok = false;
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "glTF", 4) == 0) {
    ok = loader.LoadBinaryFromMemory(&model, &err, &warn,
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     unsigned(bytes.size()));
  } else {
    const size_t slash = path.find_last_of("/\\");
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    ok = loader.LoadASCIIFromString(&model, &err, &warn, bytes.data(), unsigned(bytes.size()), dir);
  }
  if (!ok) {
    std::string msg = err.empty() ? "not a glTF file" : err;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    for (char& c : msg) c = c == '\n' ? ' ' : c;
    fail(path, "cannot read glTF: " + msg);
  }

  if (model.meshes.empty() || model.meshes[0].primitives.empty()) fail(path, "no mesh in the file");
  const tinygltf::Mesh& mesh = model.meshes[0];
  const tinygltf::Primitive& prim = mesh.primitives[0];
  if (notes && model.meshes.size() > 1)
    notes->push_back(path + ": read mesh 0 only, of " + std::to_string(model.meshes.size()));
  if (notes && mesh.primitives.size() > 1)
    notes->push_back(path + ": read primitive 0 only, of " +
                     std::to_string(mesh.primitives.size()));
  if (prim.mode != -1 && prim.mode != TINYGLTF_MODE_TRIANGLES)
    fail(path, "primitive mode " + std::to_string(prim.mode) + " is not triangles");

  const AccessorReader read(model, path);
  GltfMesh out;
  out.name = mesh.name;
  auto attribute = [&](const std::map<std::string, int>& attrs, const char* name) {
    auto it = attrs.find(name);
    return it == attrs.end() ? -1 : it->second;
  };
  const int pos = attribute(prim.attributes, "POSITION");
  if (pos < 0) fail(path, "primitive has no POSITION");
  out.positions = read.floats(pos, TINYGLTF_TYPE_VEC3, "POSITION");
  const size_t V = out.positions.size() / 3;
  if (int n = attribute(prim.attributes, "NORMAL"); n >= 0)
    out.normals = read.floats(n, TINYGLTF_TYPE_VEC3, "NORMAL");
  if (int t = attribute(prim.attributes, "TEXCOORD_0"); t >= 0)
    out.uvs = read.floats(t, TINYGLTF_TYPE_VEC2, "TEXCOORD_0");
  if (prim.indices >= 0) {
    out.triangles = read.indices(prim.indices, "indices");
  } else {
    out.triangles.resize(V);
    for (size_t i = 0; i < V; ++i) out.triangles[i] = uint32_t(i);
  }
  if (out.triangles.size() % 3 != 0) fail(path, "index count is not a multiple of 3");
  for (uint32_t i : out.triangles)
    if (i >= V)
      fail(path, "index " + std::to_string(i) + " out of " + std::to_string(V) + " vertices");
  if ((!out.normals.empty() && out.normals.size() != V * 3) ||
      (!out.uvs.empty() && out.uvs.size() != V * 2))
    fail(path, "attributes disagree in vertex count");

  std::vector<std::string> names = string_list(mesh.extras, "targetNames");
  if (names.size() != prim.targets.size()) names = string_list(prim.extras, "targetNames");
  for (size_t t = 0; t < prim.targets.size(); ++t) {
    GltfMorphTarget target;
    target.name = t < names.size() ? names[t] : "target_" + std::to_string(t);
    const std::string what = "morph target " + std::to_string(t);
    if (int p = attribute(prim.targets[t], "POSITION"); p >= 0)
      target.position_deltas = read.floats(p, TINYGLTF_TYPE_VEC3, what + " POSITION");
    else
      target.position_deltas.assign(V * 3, 0.0f);
    if (int n = attribute(prim.targets[t], "NORMAL"); n >= 0)
      target.normal_deltas = read.floats(n, TINYGLTF_TYPE_VEC3, what + " NORMAL");
    if (target.position_deltas.size() != V * 3 ||
        (!target.normal_deltas.empty() && target.normal_deltas.size() != V * 3))
      fail(path, what + " disagrees with the mesh in vertex count");
    out.targets.push_back(std::move(target));
  }
  for (double w : mesh.weights) out.default_weights.push_back(float(w));

  // The first channel animating the weights of a node that shows mesh 0.
  for (size_t a = 0; a < model.animations.size() && !out.has_animation; ++a) {
    const tinygltf::Animation& anim = model.animations[a];
    for (const auto& c : anim.channels) {
      if (c.target_path != "weights" || c.target_node < 0 ||
          size_t(c.target_node) >= model.nodes.size() || model.nodes[c.target_node].mesh != 0)
        continue;
      if (c.sampler < 0 || size_t(c.sampler) >= anim.samplers.size())
        fail(path, "animation channel uses a missing sampler");
      const tinygltf::AnimationSampler& s = anim.samplers[c.sampler];
      out.animation.name = anim.name;
      out.animation.times = read.floats(s.input, TINYGLTF_TYPE_SCALAR, "animation input");
      out.animation.weights = read.floats(s.output, TINYGLTF_TYPE_SCALAR, "animation output");
      if (out.animation.weights.size() != out.animation.times.size() * out.targets.size())
        fail(path, "animation has " + std::to_string(out.animation.weights.size()) +
                       " weights for " + std::to_string(out.animation.times.size()) + " keys x " +
                       std::to_string(out.targets.size()) + " targets" +
                       (s.interpolation == "CUBICSPLINE" ? " (CUBICSPLINE is not supported)" : ""));
      out.has_animation = true;
      break;
    }
  }
  if (notes && model.animations.size() > 1)
    notes->push_back(path + ": read one animation of " + std::to_string(model.animations.size()));
  return out;
}

}  // namespace nfs
