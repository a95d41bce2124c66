#include "infer/blendshape_names.h"

#include <cctype>
#include <stdexcept>
#include <unordered_map>

namespace nfs {
namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ARKit shapes that ICT splits into a left and a right half.
bool is_split_arkit_shape(const std::string& base) {
  return base == "browInnerUp" || base == "cheekPuff";
}

// Lower-cased spelling -> ICT indices, every accepted spelling of every expression.
const std::unordered_map<std::string, std::vector<int>>& name_table() {
  static const std::unordered_map<std::string, std::vector<int>> table = [] {
    std::unordered_map<std::string, std::vector<int>> t;
    const auto& names = ict_expression_names();
    for (int i = 0; i < kNumIctExpressions; ++i) {
      const std::string& n = names[i];
      t[lower(n)].push_back(i);  // ICT spelling
      if (ends_with(n, "_L") || ends_with(n, "_R")) {
        const std::string base = n.substr(0, n.size() - 2);
        // "eyeBlinkLeft"; also accepted for split shapes, though ARKit has no browInnerUpLeft.
        t[lower(base + (ends_with(n, "_L") ? "Left" : "Right"))].push_back(i);
        if (is_split_arkit_shape(base)) t[lower(base)].push_back(i);  // ARKit's single shape
      }
    }
    return t;
  }();
  return table;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

const std::array<std::string, kNumIctExpressions>& ict_expression_names() {
  static const std::array<std::string, kNumIctExpressions> names = {
      "browDown_L",       "browDown_R",     "browInnerUp_L",  "browInnerUp_R",
      "browOuterUp_L",    "browOuterUp_R",  "cheekPuff_L",    "cheekPuff_R",
      "cheekSquint_L",    "cheekSquint_R",  "eyeBlink_L",     "eyeBlink_R",
      "eyeLookDown_L",    "eyeLookDown_R",  "eyeLookIn_L",    "eyeLookIn_R",
      "eyeLookOut_L",     "eyeLookOut_R",   "eyeLookUp_L",    "eyeLookUp_R",
      "eyeSquint_L",      "eyeSquint_R",    "eyeWide_L",      "eyeWide_R",
      "jawForward",       "jawLeft",        "jawOpen",        "jawRight",
      "mouthClose",       "mouthDimple_L",  "mouthDimple_R",  "mouthFrown_L",
      "mouthFrown_R",     "mouthFunnel",    "mouthLeft",      "mouthLowerDown_L",
      "mouthLowerDown_R", "mouthPress_L",   "mouthPress_R",   "mouthPucker",
      "mouthRight",       "mouthRollLower", "mouthRollUpper", "mouthShrugLower",
      "mouthShrugUpper",  "mouthSmile_L",   "mouthSmile_R",   "mouthStretch_L",
      "mouthStretch_R",   "mouthUpperUp_L", "mouthUpperUp_R", "noseSneer_L",
      "noseSneer_R"};
  return names;
}

std::vector<int> ict_indices_for_name(const std::string& name) {
  const auto& table = name_table();
  const std::string key = lower(trim(name));
  if (auto it = table.find(key); it != table.end()) return it->second;
  const size_t sep = key.find_last_of(".:");
  if (sep != std::string::npos) {
    if (auto it = table.find(key.substr(sep + 1)); it != table.end()) return it->second;
  }
  return {};
}

std::string arkit_name(int index) {
  if (index < 0 || index >= kNumIctExpressions)
    throw std::out_of_range("ICT expression index " + std::to_string(index) + " outside [0, 53)");
  const std::string& n = ict_expression_names()[index];
  if (!ends_with(n, "_L") && !ends_with(n, "_R")) return n;
  const std::string base = n.substr(0, n.size() - 2);
  if (is_split_arkit_shape(base)) return base;
  return base + (ends_with(n, "_L") ? "Left" : "Right");
}

const std::vector<ArkitColumn>& arkit_columns() {
  static const std::vector<ArkitColumn> columns = [] {
    std::vector<ArkitColumn> c;
    for (int i = 0; i < kNumIctExpressions; ++i) {
      const std::string name = arkit_name(i);
      if (!c.empty() && c.back().name == name) {
        c.back().ict_indices.push_back(i);  // the right half of a split pair (kit order: L, R)
      } else {
        c.push_back({name, {i}});
      }
    }
    return c;
  }();
  return columns;
}

}  // namespace nfs
