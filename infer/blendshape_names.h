// The 53 FACS expressions of the ICT-FaceKit model, and the matching of blendshape names written
// by other tools onto them.
//
// Spellings accepted for one expression, all case-insensitive:
//   ICT             eyeBlink_L, jawOpen            (the kit's own names)
//   ARKit           eyeBlinkLeft, jawOpen          (_L / _R  <->  Left / Right)
//   Live Link Face  EyeBlinkLeft, JawOpen          (ARKit with a capital first letter)
// A name may carry a Maya/Blender-style prefix ending in '.' or ':' ("blendShape1.eyeBlinkLeft",
// "head:jawOpen"): when the whole name matches nothing, the part after the last '.' or ':' is
// tried.
// ARKit's single browInnerUp and cheekPuff drive both ICT halves (browInnerUp_L and _R,
// cheekPuff_L and _R). ICT has no tongueOut: ARKit's tongueOut, like head and eye rotations,
// matches nothing.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace nfs {

constexpr int kNumIctExpressions = 53;

// The 53 expression names in the kit's order (the order of expression_deltas in the model asset
// and of every weight vector in the engine).
const std::array<std::string, kNumIctExpressions>& ict_expression_names();

// The ICT indices a column name drives: empty when it names no ICT expression (Timecode,
// HeadYaw, TongueOut, ...), one index for most names, two (left, right) for browInnerUp and
// cheekPuff.
std::vector<int> ict_indices_for_name(const std::string& name);

// The ARKit name of ICT expression `index` (eyeBlink_L -> eyeBlinkLeft, jawOpen -> jawOpen).
// Both halves of a split ARKit shape map back to the one ARKit name (browInnerUp_L and
// browInnerUp_R -> browInnerUp; cheekPuff_L/_R -> cheekPuff). Throws std::out_of_range for an
// index outside [0, 53).
std::string arkit_name(int index);

// The ARKit blendshape columns that carry ICT expressions: 51 names (ARKit's 52 without
// tongueOut), in ICT kit order, a split pair listed once at the place of its left half. For each,
// the one or two ICT indices it gathers.
struct ArkitColumn {
  std::string name;
  std::vector<int> ict_indices;
};
const std::vector<ArkitColumn>& arkit_columns();

}  // namespace nfs
