#include "infer/rig_shapes.h"

#include <stdexcept>

namespace nfs {

RigShapes rig_shapes(WeightsNaming naming) {
  // One shape per column of the naming's CSV, with its ICT indices at 1.
  RigShapes r;
  const size_t E = kNumIctExpressions;
  r.weights.assign(E, 0.0f);  // the neutral
  for (const ArkitColumn& c : weight_columns(naming)) {
    r.names.push_back(c.name);
    r.weights.resize(r.weights.size() + E, 0.0f);
    for (int i : c.ict_indices) r.weights[r.weights.size() - E + size_t(i)] = 1.0f;
  }
  return r;
}

std::vector<float> rig_deltas(const std::vector<std::vector<float>>& decoded) {
  std::vector<float> deltas;
  for (size_t k = 1; k < decoded.size(); ++k)
    for (size_t i = 0; i < decoded[0].size(); ++i) deltas.push_back(decoded[k][i] - decoded[0][i]);
  return deltas;
}

WeightsNaming parse_naming(const std::string& naming, const std::string& what) {
  if (naming == "ict") return WeightsNaming::Ict;
  if (naming == "arkit") return WeightsNaming::Arkit;
  throw std::invalid_argument(what + ": '" + naming + "' (expected ict or arkit)");
}

}  // namespace nfs
