// Replays the fuzz corpora through the entry points the libFuzzer harnesses call (no clang
// needed): every seed in corpus/<format>/ is one of the project's own files and must be accepted,
// except hand-made bad_* seeds, which must be rejected; every input in regressions/<format>/ once
// crashed, hung or over-allocated a reader (or guards against that) and must now be rejected with
// the one-line error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/fuzz_targets.h"
#include "infer/cli.h"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs(const std::string& kind, const std::string& format) {
  const fs::path dir = fs::path(NFS_SOURCE_DIR) / "tests" / "fuzz" / kind / format;
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

int replay(const std::string& format, const fs::path& p) {
  const std::string b = nfs::read_text_file(p.string());
  return nfs::fuzz::read_input(format, reinterpret_cast<const uint8_t*>(b.data()), b.size());
}

}  // namespace

TEST_CASE("every fuzz seed is accepted by its reader, every bad_* seed rejected", "[fuzz]") {
  for (const std::string& format : nfs::fuzz::formats()) {
    const std::vector<fs::path> seeds = inputs("corpus", format);
    INFO(format);
    int valid = 0;
    for (const fs::path& p : seeds) {
      INFO(p.string());
      const bool bad = p.filename().string().rfind("bad_", 0) == 0;
      const int accepted = replay(format, p);
      if (bad) CHECK(accepted == 0);
      else CHECK(accepted >= 1);
      valid += bad ? 0 : 1;
    }
    CHECK(valid > 0);
  }
}

TEST_CASE("every input that once broke a reader is now rejected with the one-line error", "[fuzz]") {
  int replayed = 0;
  for (const std::string& format : nfs::fuzz::formats())
    for (const fs::path& p : inputs("regressions", format)) {
      INFO(p.string());
      // A found input that is valid after its fix is kept as ok_<name>: it must then be accepted.
      const bool valid = p.filename().string().rfind("ok_", 0) == 0;
      const int accepted = replay(format, p);
      if (valid) CHECK(accepted >= 1);
      else CHECK(accepted == 0);
      ++replayed;
    }
  CHECK(replayed > 0);
  std::printf("replayed %d fuzz regression inputs\n", replayed);
}

TEST_CASE("an unknown fuzz format is a caller's error", "[fuzz]") {
  const uint8_t byte = 0;
  CHECK_THROWS_AS(nfs::fuzz::read_input("png", &byte, 1), std::invalid_argument);
}
