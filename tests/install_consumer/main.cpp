// Uses only <nfs/nfs.h>: prints the version and the FACS names, and shows the error a missing
// model gives (no model is needed to check that the package links).
#include <nfs/nfs.h>

#include <cstdio>
#include <stdexcept>

int main() {
  std::printf("nfs %s, %zu expression names, first %s\n", nfs::version(), nfs::Retargeter::expression_names().size(),
              nfs::Retargeter::expression_names()[0].c_str());
  std::vector<float> code(128, 0.0f);
  nfs::Retargeter::set_weight(code, "browInnerUp", 0.5f);  // ARKit name: both ICT halves
  if (code[2] != 0.5f || code[3] != 0.5f) return 1;
  try {
    nfs::Retargeter r({"/nonexistent/model.safetensors"});
    return 1;
  } catch (const std::runtime_error& e) {
    std::printf("expected error: %s\n", e.what());
  }
  return 0;
}
