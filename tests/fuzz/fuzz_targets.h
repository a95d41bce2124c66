// The fuzzed entry points: for each input format, the call the binaries make on a file of that
// format, fed from bytes. libFuzzer's harness (harness/fuzz_harness.cpp) and the regression
// replay in the normal suite (test_fuzz_regressions.cpp) call the same functions.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nfs::fuzz {

// The formats, as named in tools/fuzz.sh and tests/fuzz/{corpus,regressions}/<format>/:
// obj, gltf, checkpoint, operator_cache, weights_csv, train_config.
const std::vector<std::string>& formats();

// Reads `data` as `format` through the binaries' entry point. A rejected input (the one-line
// std::exception of SPEC §9) returns normally; only a crash, a sanitizer report, a hang or an
// allocation past the reader's bound is a finding. Returns 1 when the input was accepted.
int read_input(const std::string& format, const uint8_t* data, size_t size);

}  // namespace nfs::fuzz
