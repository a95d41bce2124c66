// Runs a binary of the build through the shell, as a user would, for the CLI tests.
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace nfs::test {

struct CommandResult {
  int code;         // exit status
  std::string err;  // what it wrote to stderr
};

// Runs `command` (stdout discarded) with stderr captured through `err_file`.
inline CommandResult run_command(const std::string& command, const std::string& err_file) {
  const int status = std::system((command + " > /dev/null 2> " + err_file).c_str());
  std::ifstream f(err_file);
  std::stringstream ss;
  ss << f.rdbuf();
  return {WEXITSTATUS(status), ss.str()};
}

}  // namespace nfs::test
