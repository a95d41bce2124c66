// The public API (infer/nfs/nfs.h) over the inference engine.
#include <stdexcept>

#include "geometry/load_mesh.h"
#include "geometry/mesh_arrays.h"
#include "infer/blendshape_names.h"
#include "infer/engine.h"
#include "infer/nfs/nfs.h"

namespace nfs {

struct Retargeter::Impl {
  std::unique_ptr<Engine> engine;
  std::vector<std::unique_ptr<Engine::Target>> targets;
  const Engine::Target& target(int handle) const {
    if (handle < 0 || handle >= int(targets.size())) throw std::invalid_argument("no target with handle " + std::to_string(handle));
    return *targets[handle];
  }
};

Retargeter::Retargeter(const RetargeterOptions& o) : impl_(std::make_unique<Impl>()) {
  EngineOptions e;
  e.model = o.model;
  e.device = o.device;
  e.ict_model = o.ict_model;
  e.batch = o.batch;
  impl_->engine = std::make_unique<Engine>(e);
}

Retargeter::~Retargeter() = default;

int Retargeter::prepare_target(const std::string& path) {
  impl_->targets.push_back(impl_->engine->prepare_target(path, AlignOptions()));
  return int(impl_->targets.size()) - 1;
}

int Retargeter::prepare_target(const std::vector<float>& positions, const std::vector<int>& triangles) {
  if (positions.size() % 3 || triangles.size() % 3 || positions.empty() || triangles.empty())
    throw std::invalid_argument("prepare_target: positions and triangles must be non-empty multiples of 3");
  geo::TriangleMesh mesh;
  mesh.poly = triangle_polygons(points_matrix(positions),
                                triangles_matrix(std::vector<int32_t>(triangles.begin(), triangles.end())));
  geo::triangulate_and_check("target", mesh);
  impl_->targets.push_back(impl_->engine->prepare_target(std::move(mesh), "target", AlignOptions()));
  return int(impl_->targets.size()) - 1;
}

int Retargeter::target_vertex_count(int target) const { return int(impl_->target(target).mesh.V.rows()); }

std::vector<std::vector<float>> Retargeter::encode(const std::vector<std::string>& paths,
                                                   const std::string& neutral_path) {
  Tensor z = impl_->engine->encode(paths, AlignOptions(), neutral_path);
  const int64_t N = z.size(0), D = z.size(1);
  std::vector<float> all = z.to_vector();
  std::vector<std::vector<float>> out;
  for (int64_t i = 0; i < N; ++i) out.emplace_back(all.begin() + i * D, all.begin() + (i + 1) * D);
  return out;
}

std::vector<float> Retargeter::code_from_weights(const std::vector<float>& weights) const {
  return impl_->engine->codes_from_weights(weights, 1).to_vector();
}

void Retargeter::set_weight(std::vector<float>& code, const std::string& name, float value) {
  const std::vector<int> idx = ict_indices_for_name(name);
  if (idx.empty()) throw std::invalid_argument("'" + name + "' is not a FACS blendshape name");
  for (int i : idx) {
    if (i >= int(code.size())) throw std::invalid_argument("set_weight: code too short");
    code[i] = value;
  }
}

const std::vector<std::string>& Retargeter::expression_names() {
  static const std::vector<std::string> names(ict_expression_names().begin(), ict_expression_names().end());
  return names;
}

std::vector<std::vector<float>> Retargeter::decode(int target, const std::vector<std::vector<float>>& codes) {
  if (codes.empty()) return {};
  const int64_t D = int64_t(codes[0].size());
  std::vector<float> flat;
  for (const auto& c : codes) {
    if (int64_t(c.size()) != D) throw std::invalid_argument("decode: codes of different lengths");
    flat.insert(flat.end(), c.begin(), c.end());
  }
  return impl_->engine->decode(impl_->target(target), Tensor::from_vector({int64_t(codes.size()), D}, flat));
}

std::string Retargeter::device() const { return device_name(impl_->engine->device()); }

const char* version() { return NFS_VERSION_STRING; }

}  // namespace nfs
