// docs/CHECKPOINT.md lists every tensor of the default model: keep the doc and the code in step.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <algorithm>

#include "nn/nfs_network.h"

TEST_CASE("docs/CHECKPOINT.md lists exactly the default model's tensors and shapes", "[checkpoint]") {
  std::ifstream f(NFS_SOURCE_DIR "/docs/CHECKPOINT.md");
  REQUIRE(f.good());
  std::vector<std::pair<std::string, std::string>> documented;
  const std::regex row(R"(^\| `([A-Za-z_0-9.]+)` \| (\[[0-9, ]+\]) \|$)");
  for (std::string line; std::getline(f, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) documented.emplace_back(m[1], m[2]);
  }
  nfs::NfsNetwork net{nfs::NfsConfig()};
  std::vector<std::pair<std::string, std::string>> actual;
  for (const auto& [name, p] : net.named_parameters()) actual.emplace_back(name, p.shape().str());
  for (size_t i = 0; i < std::max(documented.size(), actual.size()); ++i) {
    INFO("row " << i);
    REQUIRE(i < documented.size());
    REQUIRE(i < actual.size());
    CHECK(documented[i].first == actual[i].first);
    CHECK(documented[i].second == actual[i].second);
  }
}
