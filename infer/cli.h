// A small command-line parser shared by the binaries: positional arguments, "--name value",
// "--name=value", "-o value" and boolean switches. Unknown options are errors, so a typo never
// silently does something else.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

namespace nfs {

class CliArgs {
 public:
  // `with_value`: options that take a value; `switches`: boolean flags. Options may repeat
  // (values are collected in order). Throws std::invalid_argument on an unknown option or a
  // missing value.
  CliArgs(int argc, char** argv, int first, const std::set<std::string>& with_value,
          const std::set<std::string>& switches);

  const std::vector<std::string>& positional() const { return positional_; }
  bool has(const std::string& name) const;
  std::string get(const std::string& name, const std::string& fallback = "") const;
  // The option's value or an error naming it.
  std::string require(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  int get_int(const std::string& name, int fallback) const;
  double get_double(const std::string& name, double fallback) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> values_;
};

// "12" -> 12 with a clear error naming the option when it is not a number.
int parse_int(const std::string& text, const std::string& what);
double parse_double(const std::string& text, const std::string& what);
// The whole of a text file (a JSON configuration); throws "<path>: cannot open".
std::string read_text_file(const std::string& path);

}  // namespace nfs
