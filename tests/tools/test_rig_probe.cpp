// nfs_tools rig-probe on the bundled model: its swap experiment's unswapped row, from a mesh it
// prepares and encodes on its own, reproduces the main table's row for the same identity and
// re-mesh; every summary row is there and finite.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) out.push_back(cell);
  return out;
}

}  // namespace

TEST_CASE("rig-probe's own-input row matches its trained re-mesh row", "[tools][cli]") {
  nfs::test::TempDir dir("rig_probe");
  const std::string out = dir.file("probe.csv");
  const std::string probe =
      std::string(NFS_BINARY_DIR) +
      "/nfs_tools rig-probe " NFS_SOURCE_DIR
      "/models/nfs_default.safetensors --identities 1 --ict-model " NFS_SHARED_DIR
      "/data/ict-facekit/ict_face_model.safetensors";
  const auto r = nfs::test::run_command("(" + probe + " > " + out + ")", dir.file("stderr.txt"));
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::ifstream f(out);
  std::map<std::string, std::vector<double>> rows;  // first cells joined -> numbers
  for (std::string line; std::getline(f, line);) {
    std::vector<std::string> cells = split(line);
    std::string key;
    std::vector<double> numbers;
    for (const std::string& c : cells) {
      char* end = nullptr;
      const double v = std::strtod(c.c_str(), &end);
      if (!c.empty() && end && *end == '\0')
        numbers.push_back(v);
      else
        key += (key.empty() ? "" : "|") + c;
    }
    if (!numbers.empty()) rows[key] = numbers;
  }
  const std::vector<double>& own =
      rows.at("re-mesh's own");  // pooled, shape mean, eyes, eyeBlink_L
  const std::vector<double>& trained =
      rows.at("trained|training re-mesh|encoder");  // accuracy first
  REQUIRE(own.size() == 4);
  REQUIRE(trained.size() == 6);
  for (int k = 0; k < 4; ++k) CHECK(own[size_t(k)] == Approx(trained[size_t(k + 1)]).margin(2e-3));
  for (const char* set : {"trained", "test"})
    for (const char* topo : {"training re-mesh", "unseen re-mesh 2500", "ICT mesh"})
      for (const char* kind : {"encoder", "labels"}) {
        const std::string key = std::string(set) + "|" + topo + "|" + kind;
        INFO(key);
        REQUIRE(rows.count(key) == 1);
        for (double v : rows.at(key)) CHECK((std::isfinite(v) && v >= 0.0 && v < 2.0));
      }
  CHECK(rows.at("eyeBlink_L").size() == 6);  // the per-shape table: one column per row above

  const auto bad = nfs::test::run_command(probe + " --identities 0", dir.file("bad.txt"));
  CHECK(bad.code != 0);
  CHECK(bad.err.find("--identities must be in [1, 10]") != std::string::npos);
}
