#include "infer/rig_shapes.h"

#include <stdexcept>

namespace nfs {

RigShapes rig_shapes(WeightsNaming naming) {
  RigShapes r;
  const size_t E = kNumIctExpressions;
  r.weights.assign(E, 0.0f);  // the neutral
  auto add = [&](const std::string& name, const std::vector<int>& indices) {
    r.names.push_back(name);
    r.weights.resize(r.weights.size() + E, 0.0f);
    for (int i : indices) r.weights[r.weights.size() - E + size_t(i)] = 1.0f;
  };
  if (naming == WeightsNaming::Ict)
    for (int k = 0; k < kNumIctExpressions; ++k) add(ict_expression_names()[k], {k});
  else
    for (const ArkitColumn& c : arkit_columns()) add(c.name, c.ict_indices);
  return r;
}

WeightsNaming parse_naming(const std::string& naming, const std::string& what) {
  if (naming == "ict") return WeightsNaming::Ict;
  if (naming == "arkit") return WeightsNaming::Arkit;
  throw std::invalid_argument(what + ": '" + naming + "' (expected ict or arkit)");
}

}  // namespace nfs
