#include "train/ict_model.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "geometry/canonical.h"
#include "nn/safetensors.h"

namespace nfs {

namespace {
std::vector<std::string> string_list(const SafetensorsFile& f, const std::string& key) {
  auto it = f.metadata.find(key);
  if (it == f.metadata.end()) throw std::runtime_error(f.path + ": metadata lacks '" + key + "'");
  try {
    return nlohmann::json::parse(it->second).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(f.path + ": metadata '" + key + "' is not a JSON list of strings");
  }
}
}  // namespace

IctModel load_ict_model(const std::string& path) {
  SafetensorsFile f = read_safetensors(path);
  IctModel m;
  m.path = path;
  const Tensor& neutral = f.at("neutral");
  if (neutral.ndim() != 2 || neutral.size(1) != 3 || neutral.dtype() != DType::F32)
    throw std::runtime_error(path + ": 'neutral' must be F32 [V, 3]");
  m.num_vertices = neutral.size(0);
  m.neutral = neutral.to_vector();
  const Tensor& quads = f.at("quads");
  if (quads.ndim() != 2 || quads.size(1) != 4 || quads.dtype() != DType::I32)
    throw std::runtime_error(path + ": 'quads' must be I32 [Q, 4]");
  m.quads = quads.to_int_vector();
  for (int32_t q : m.quads)
    if (q < 0 || q >= m.num_vertices) throw std::runtime_error(path + ": 'quads' index out of range");
  m.expression_names = string_list(f, "expression_names");
  m.identity_names = string_list(f, "identity_names");
  const Tensor& exp = f.at("expression_deltas");
  const Tensor& id = f.at("identity_deltas");
  if (exp.shape() != Shape{m.num_expressions(), m.num_vertices, 3})
    throw std::runtime_error(path + ": 'expression_deltas' has shape " + exp.shape().str());
  if (id.shape() != Shape{m.num_identities(), m.num_vertices, 3})
    throw std::runtime_error(path + ": 'identity_deltas' has shape " + id.shape().str());
  m.expression_deltas = exp.to_vector();
  m.identity_deltas = id.to_vector();
  auto lm = f.metadata.find("landmarks_ibug68");
  if (lm != f.metadata.end()) m.landmarks = nlohmann::json::parse(lm->second).get<std::vector<int32_t>>();
  return m;
}

std::vector<int32_t> IctModel::triangles() const {
  std::vector<int32_t> t;
  t.reserve(quads.size() / 4 * 6);
  for (size_t i = 0; i < quads.size(); i += 4) {
    t.insert(t.end(), {quads[i], quads[i + 1], quads[i + 2]});
    t.insert(t.end(), {quads[i], quads[i + 2], quads[i + 3]});
  }
  return t;
}

std::vector<float> IctModel::shape(const std::vector<float>& w_id, const std::vector<float>& w_exp) const {
  std::vector<float> p = neutral;
  const size_t n = p.size();
  for (size_t j = 0; j < w_id.size() && j < size_t(num_identities()); ++j)
    if (w_id[j] != 0.0f)
      for (size_t i = 0; i < n; ++i) p[i] += w_id[j] * identity_deltas[j * n + i];
  for (size_t k = 0; k < w_exp.size() && k < size_t(num_expressions()); ++k)
    if (w_exp[k] != 0.0f)
      for (size_t i = 0; i < n; ++i) p[i] += w_exp[k] * expression_deltas[k * n + i];
  return p;
}

std::array<float, 3> IctModel::canonical_offset() const { return ict_canonical_offset(neutral.data()); }

void IctModel::to_canonical(std::vector<float>& points) const {
  ict_to_canonical(points.data(), points.data(), int64_t(points.size() / 3), canonical_offset());
}

int IctModel::expression_index(const std::string& name) const {
  for (size_t i = 0; i < expression_names.size(); ++i)
    if (expression_names[i] == name) return int(i);
  return -1;
}

std::string default_ict_model_path() {
#ifdef NFS_DEFAULT_SHARED_DIR
  return std::string(NFS_DEFAULT_SHARED_DIR) + "/data/ict-facekit/ict_face_model.safetensors";
#else
  return "../shared/data/ict-facekit/ict_face_model.safetensors";
#endif
}

}  // namespace nfs
