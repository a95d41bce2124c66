// Blendshape weights as CSV: one header row of column names, then one row per frame.
//
// Reading matches columns by name (infer/blendshape_names.h: ICT, ARKit and Live Link Face
// spellings, case-insensitive; ARKit's browInnerUp / cheekPuff drive both ICT halves). Columns
// that drive no ICT expression (Timecode, BlendShapeCount, HeadYaw, LeftEyePitch, TongueOut, ...)
// are ignored and listed once in a note. A Timecode column, when present, is kept as text per
// frame (Live Link Face writes "14:41:51:05.432"). Expressions that no column drives are 0.
// Accepted: a UTF-8 byte-order mark, CRLF line ends, blank lines (skipped), fields in double
// quotes ("" inside quotes is a quote; a quoted field cannot span lines), spaces around fields.
//
// Writing puts one column per ICT expression (ICT naming), or one per ARKit shape (ARKit naming:
// 51 columns, ARKit's 52 without tongueOut, in ICT kit order). In ARKit naming the two ICT halves
// of browInnerUp and of cheekPuff are written as their mean: ARKit has one value for the pair,
// and the mean is what reading it back gives both halves when they were equal.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "infer/blendshape_names.h"

namespace nfs {

struct WeightsTable {
  int num_frames = 0;
  std::vector<float> weights;  // [num_frames, 53], ICT kit order
  std::vector<std::string>
      timecodes;  // [num_frames] when the file has a Timecode column, else empty
  std::vector<std::string> ignored_columns;  // header names that drive no ICT expression
  // One line each, naming the file: the ignored columns, and the ICT expressions no column
  // drives (which stay 0). Empty when there is nothing to say.
  std::vector<std::string> notes;

  float at(int frame, int expression) const {
    return weights[size_t(frame) * kNumIctExpressions + expression];
  }
};

// Throws std::runtime_error with one line naming the file and the problem: missing or unreadable
// file, empty file, no data rows, no column that drives an ICT expression, two columns driving
// the same expression (e.g. browInnerUp and browInnerUp_L), a row with more fields than the
// header, and "<file>:<line>: column '<name>': missing value" or "...: '<text>' is not a number"
// for a row whose value in a used column is absent, empty, non-numeric or not finite. Only the
// columns that are used must hold numbers.
WeightsTable read_weights_csv(const std::string& path);
// Same, from text in memory; `label` names it in messages.
WeightsTable parse_weights_csv(const std::string& text, const std::string& label);

// Rows per second of a take whose timecodes read "HH:MM:SS:FF[.sss]" (Live Link Face): the median
// count of rows over the whole seconds the take spans (neither its first nor its last second).
// Empty when there are no timecodes, one does not parse, or the take spans no whole second.
std::optional<double> frame_rate_from_timecodes(const std::vector<std::string>& timecodes);

enum class WeightsNaming { Ict, Arkit };

// The columns a naming writes, each a name and the ICT indices whose mean it holds: ICT, the 53
// expressions one index each; ARKit, arkit_columns() (51, split pairs gathered).
std::vector<ArkitColumn> weight_columns(WeightsNaming naming);
// Weights [num_frames, 53] (ICT order) as `columns` [num_frames, #columns]: each column the mean
// of its ICT indices (summed in double), the values a CSV in that naming holds.
std::vector<float> weights_in_columns(const std::vector<float>& weights, int num_frames,
                                      const std::vector<ArkitColumn>& columns);

// Writes weights [num_frames, 53] (ICT kit order) with a header row in the chosen naming, and a
// leading Timecode column when `timecodes` is non-empty (then one per frame). Values are written
// with the shortest text that reads back as the same float. Atomic (temporary file + rename).
// Throws std::invalid_argument when the sizes disagree or a weight is not finite,
// std::runtime_error naming the file when it cannot be written.
void write_weights_csv(const std::string& path, const std::vector<float>& weights, int num_frames,
                       WeightsNaming naming, const std::vector<std::string>& timecodes = {});
std::string format_weights_csv(const std::vector<float>& weights, int num_frames,
                               WeightsNaming naming,
                               const std::vector<std::string>& timecodes = {});

}  // namespace nfs
