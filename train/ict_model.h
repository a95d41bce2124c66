// The ICT-FaceKit linear face model as the project uses it (../shared/data/ict-facekit/README.md):
// a mesh of the model is neutral + Σ w_id[j] identity_deltas[j] + Σ w_exp[k] expression_deltas[k],
// restricted to the face + head/neck region (11,248 vertices, 11,144 quads).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace nfs {

struct IctModel {
  int64_t num_vertices = 0;
  std::vector<float> neutral;            // [V, 3], centimetres, kit frame
  std::vector<float> expression_deltas;  // [53, V, 3]
  std::vector<float> identity_deltas;    // [100, V, 3]
  std::vector<int32_t> quads;            // [Q, 4]
  std::vector<std::string> expression_names, identity_names;
  std::vector<int32_t> landmarks;        // iBUG-68 vertex indices
  std::string path;

  int64_t num_expressions() const { return int64_t(expression_names.size()); }
  int64_t num_identities() const { return int64_t(identity_names.size()); }
  // Triangles of the quads (each split along its first diagonal), [2Q, 3].
  std::vector<int32_t> triangles() const;
  // neutral + Σ w_id identity + Σ w_exp expression, in centimetres. Either weight list may be
  // empty (all zero) or shorter than the basis.
  std::vector<float> shape(const std::vector<float>& w_id, const std::vector<float>& w_exp) const;
  // The canonical frame's offset (SPEC §5), from the generic neutral.
  std::array<float, 3> canonical_offset() const;
  // Points in centimetres to the canonical frame (in place).
  void to_canonical(std::vector<float>& points) const;
  int expression_index(const std::string& name) const;  // -1 when unknown
};

// Reads the project's model asset (safetensors: neutral, quads, expression_deltas,
// identity_deltas, metadata lists). Throws "<path>: <problem>" when anything is missing or
// inconsistent.
IctModel load_ict_model(const std::string& path);

// Where the shared asset lives relative to the repository (../shared/data/ict-facekit/).
std::string default_ict_model_path();

}  // namespace nfs
