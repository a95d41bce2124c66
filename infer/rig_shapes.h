// The blendshapes of a rig, as FACS weights to decode: the neutral, then one weight row per
// shape. ICT naming gives the kit's 53 shapes; ARKit naming gives ARKit's 51 that ICT carries,
// a split pair (browInnerUp, cheekPuff) decoded with both ICT halves at 1, as an ARKit rig's one
// shape moves both sides. Shape k's deltas are decode(row k + 1) - decode(row 0).
#pragma once
#include <string>
#include <vector>

#include "infer/weights_csv.h"

namespace nfs {

struct RigShapes {
  std::vector<std::string> names;  // #S shape names
  std::vector<float> weights;  // [(#S + 1), 53]: row 0 all zero (the neutral), then one per shape
  int num_shapes() const { return int(names.size()); }
};

RigShapes rig_shapes(WeightsNaming naming);
// The shapes' deltas [#S, n·3] from positions decoded from a RigShapes' rows (decoded[0] the
// neutral, then one per shape, n·3 each).
std::vector<float> rig_deltas(const std::vector<std::vector<float>>& decoded);
// "ict" or "arkit"; `what` names the option in the error.
WeightsNaming parse_naming(const std::string& naming, const std::string& what);

}  // namespace nfs
