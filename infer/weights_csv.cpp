#include "infer/weights_csv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "infer/blendshape_names.h"
#include "nn/safetensors.h"  // write_file_atomic

namespace nfs {
namespace {

constexpr int kE = kNumIctExpressions;

[[noreturn]] void fail(const std::string& label, const std::string& problem) {
  throw std::runtime_error(label + ": " + problem);
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

// Splits one line into trimmed fields; double-quoted fields may hold commas and "" for a quote.
std::vector<std::string> split_fields(const std::string& line, const std::string& where) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) fail(where, "unterminated quoted field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') fail(where, "text after a closing quote");
    } else {
      const size_t end = line.find(',', i);
      field = trim(line.substr(i, end == std::string::npos ? std::string::npos : end - i));
      i = end == std::string::npos ? line.size() : end;
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

// A finite number filling the whole field, or false.
bool parse_number(const std::string& text, float& value) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  if (b == e) return false;
  const auto r = std::from_chars(b, e, value);
  return r.ec == std::errc() && r.ptr == e && std::isfinite(value);
}

// The first `n` items, and how many there are in all when that is more: a message stays one
// readable line even for a header of 10^5 columns.
std::string join_first(const std::vector<std::string>& items, size_t n) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < n; ++i) out += (i ? ", " : "") + items[i].substr(0, 64);
  if (items.size() > n) out += ", ... (" + std::to_string(items.size()) + " columns)";
  return out;
}

// The shortest text that reads back as the same float.
std::string format_float(float v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

std::string quote_if_needed(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

WeightsTable parse_weights_csv(const std::string& text_in, const std::string& label) {
  std::string_view text(text_in);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM (Excel)

  // Physical lines, numbered from 1, without their line ends.
  std::vector<std::pair<int, std::string>> lines;
  {
    int number = 0;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string line(text.substr(pos, end - pos));
      if (!line.empty() && line.back() == '\r') line.pop_back();
      ++number;
      if (!is_blank(line)) lines.emplace_back(number, std::move(line));
      pos = end + 1;
    }
  }
  if (lines.empty()) fail(label, "empty file (expected a header row of blendshape names)");

  // Header: which column drives which ICT expressions.
  const auto& names = ict_expression_names();
  const std::vector<std::string> header =
      split_fields(lines[0].second, label + ":" + std::to_string(lines[0].first));
  WeightsTable table;
  std::vector<std::vector<int>> column_targets(header.size());
  std::vector<int> driven_by(kE, -1);  // column driving each expression
  int timecode_column = -1;
  for (size_t c = 0; c < header.size(); ++c) {
    column_targets[c] = ict_indices_for_name(header[c]);
    if (column_targets[c].empty()) {
      table.ignored_columns.push_back(header[c].empty() ? "(unnamed)" : header[c]);
      std::string lower = header[c];
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower == "timecode" && timecode_column < 0) timecode_column = int(c);
      continue;
    }
    for (int e : column_targets[c]) {
      if (driven_by[e] >= 0)
        fail(label, "columns '" + header[driven_by[e]] + "' and '" + header[c] +
                        "' both drive the ICT expression " + names[e]);
      driven_by[e] = int(c);
    }
  }
  bool any = false;
  for (int e = 0; e < kE; ++e) any = any || driven_by[e] >= 0;
  if (!any)
    fail(label,
         "no column names a blendshape (expected ICT, ARKit or Live Link Face names such "
         "as eyeBlink_L, eyeBlinkLeft or EyeBlinkLeft; header has: " +
             join_first(header, 12) + ")");
  if (lines.size() == 1) fail(label, "header row but no data rows");

  // Rows.
  table.num_frames = int(lines.size()) - 1;
  table.weights.assign(size_t(table.num_frames) * kE, 0.0f);
  if (timecode_column >= 0) table.timecodes.resize(table.num_frames);
  for (int f = 0; f < table.num_frames; ++f) {
    const auto& [number, line] = lines[f + 1];
    const std::string where = label + ":" + std::to_string(number);
    const std::vector<std::string> fields = split_fields(line, where);
    for (size_t c = header.size(); c < fields.size(); ++c) {
      if (!fields[c].empty())
        fail(where, std::to_string(fields.size()) + " fields, but the header has " +
                        std::to_string(header.size()) + " columns");
    }
    for (size_t c = 0; c < header.size(); ++c) {
      if (int(c) == timecode_column && c < fields.size()) table.timecodes[f] = fields[c];
      if (column_targets[c].empty()) continue;
      if (c >= fields.size() || fields[c].empty())
        fail(where, "column '" + header[c].substr(0, 64) + "': missing value");
      float v = 0;
      if (!parse_number(fields[c], v))
        fail(where, "column '" + header[c].substr(0, 64) + "': '" + fields[c].substr(0, 64) + "' is not a number");
      for (int e : column_targets[c]) table.weights[size_t(f) * kE + e] = v;
    }
  }

  if (!table.ignored_columns.empty())
    table.notes.push_back(
        label + ": ignored " + std::to_string(table.ignored_columns.size()) +
        " column(s) that drive no ICT blendshape: " + join_first(table.ignored_columns, 12));
  std::vector<std::string> undriven;
  for (int e = 0; e < kE; ++e)
    if (driven_by[e] < 0) undriven.push_back(names[e]);
  if (!undriven.empty())
    table.notes.push_back(label + ": no column for " + std::to_string(undriven.size()) +
                          " ICT blendshape(s), kept at 0: " + join_first(undriven, kE));
  return table;
}

WeightsTable read_weights_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open file (missing or unreadable)");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(path, "read error");
  return parse_weights_csv(ss.str(), path);
}

std::string format_weights_csv(const std::vector<float>& weights, int num_frames,
                               WeightsNaming naming, const std::vector<std::string>& timecodes) {
  if (num_frames < 0 || weights.size() != size_t(num_frames) * kE)
    throw std::invalid_argument("weights CSV: " + std::to_string(weights.size()) + " weights for " +
                                std::to_string(num_frames) + " frames (expected frames x 53)");
  if (!timecodes.empty() && timecodes.size() != size_t(num_frames))
    throw std::invalid_argument("weights CSV: " + std::to_string(timecodes.size()) +
                                " timecodes for " + std::to_string(num_frames) + " frames");
  for (size_t i = 0; i < weights.size(); ++i)
    if (!std::isfinite(weights[i]))
      throw std::invalid_argument("weights CSV: non-finite weight at frame " +
                                  std::to_string(i / kE) + ", " + ict_expression_names()[i % kE]);

  const std::vector<ArkitColumn> columns = weight_columns(naming);
  const std::vector<float> values = weights_in_columns(weights, num_frames, columns);

  std::string out;
  const bool with_time = !timecodes.empty();
  if (with_time) out += "Timecode";
  for (size_t c = 0; c < columns.size(); ++c) out += (c || with_time ? "," : "") + columns[c].name;
  out += '\n';
  for (int f = 0; f < num_frames; ++f) {
    if (with_time) out += quote_if_needed(timecodes[f]);
    for (size_t c = 0; c < columns.size(); ++c)
      out += (c || with_time ? "," : "") + format_float(values[size_t(f) * columns.size() + c]);
    out += '\n';
  }
  return out;
}

std::vector<ArkitColumn> weight_columns(WeightsNaming naming) {
  if (naming == WeightsNaming::Arkit) return arkit_columns();
  std::vector<ArkitColumn> columns;
  for (int e = 0; e < kE; ++e) columns.push_back({ict_expression_names()[e], {e}});
  return columns;
}

std::vector<float> weights_in_columns(const std::vector<float>& weights, int num_frames,
                                      const std::vector<ArkitColumn>& columns) {
  std::vector<float> out;
  out.reserve(size_t(num_frames) * columns.size());
  for (int f = 0; f < num_frames; ++f)
    for (const ArkitColumn& c : columns) {
      double sum = 0;
      for (int e : c.ict_indices) sum += weights[size_t(f) * kE + e];
      out.push_back(float(sum / double(c.ict_indices.size())));
    }
  return out;
}

void write_weights_csv(const std::string& path, const std::vector<float>& weights, int num_frames,
                       WeightsNaming naming, const std::vector<std::string>& timecodes) {
  write_file_atomic(path, format_weights_csv(weights, num_frames, naming, timecodes));
}

std::optional<double> frame_rate_from_timecodes(const std::vector<std::string>& timecodes) {
  // Rows are counted per whole second of the timecode; the first and last seconds are partial.
  std::vector<long> second_of_row;
  for (const std::string& t : timecodes) {
    int h = 0, m = 0, sec = 0, frame = 0;
    if (std::sscanf(t.c_str(), "%d:%d:%d:%d", &h, &m, &sec, &frame) != 4) return std::nullopt;
    second_of_row.push_back((long(h) * 60 + m) * 60 + sec);
  }
  std::vector<int> counts;
  for (size_t i = 0; i < second_of_row.size();) {
    size_t j = i;
    while (j < second_of_row.size() && second_of_row[j] == second_of_row[i]) ++j;
    if (i > 0 && j < second_of_row.size()) counts.push_back(int(j - i));
    i = j;
  }
  if (counts.empty()) return std::nullopt;
  std::nth_element(counts.begin(), counts.begin() + counts.size() / 2, counts.end());
  return double(counts[counts.size() / 2]);
}

}  // namespace nfs
