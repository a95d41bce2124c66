#include "infer/cli.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nfs {

CliArgs::CliArgs(int argc, char** argv, int first, const std::set<std::string>& with_value,
                 const std::set<std::string>& switches) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() < 2 || a[0] != '-' || a == "--") {
      positional_.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    if (switches.count(name)) {
      if (inline_value) throw std::invalid_argument("option " + name + " takes no value");
      values_[name].push_back("1");
    } else if (with_value.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argc) throw std::invalid_argument("option " + name + " needs a value");
        value = argv[++i];
      }
      values_[name].push_back(value);
    } else {
      throw std::invalid_argument("unknown option " + name + " (see --help)");
    }
  }
}

bool CliArgs::has(const std::string& name) const { return values_.count(name) > 0; }

std::string CliArgs::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::string CliArgs::require(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::invalid_argument("missing required option " + name);
  return it->second.back();
}

std::vector<std::string> CliArgs::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int CliArgs::get_int(const std::string& name, int fallback) const {
  return has(name) ? parse_int(get(name), name) : fallback;
}

double CliArgs::get_double(const std::string& name, double fallback) const {
  return has(name) ? parse_double(get(name), name) : fallback;
}

int parse_int(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') throw std::invalid_argument(what + ": '" + text + "' is not an integer");
  return static_cast<int>(v);
}

double parse_double(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throw std::invalid_argument(what + ": '" + text + "' is not a number");
  return v;
}

std::string read_text_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace nfs
