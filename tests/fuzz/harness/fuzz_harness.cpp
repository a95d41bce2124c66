// libFuzzer harness for one input format, chosen at compile time (NFS_FUZZ_FORMAT): built by
// tests/fuzz/CMakeLists.txt as nfs_fuzz_<format> when NFS_FUZZ is on, run by tools/fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nfs::fuzz::read_input(NFS_FUZZ_FORMAT, data, size);
  return 0;
}
