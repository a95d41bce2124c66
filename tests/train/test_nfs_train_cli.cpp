// nfs_train as a user runs it: a short run whose log.csv carries the per-component validation
// columns (and their plot), then --eval on its checkpoint printing the summary table.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/png_size.h"
#include "support/run_command.h"
#include "support/temp_dir.h"
#include "train/tiny_config.h"

using namespace nfs;

TEST_CASE("nfs_train logs the per-component validation numbers and --eval prints the summary", "[train][cli]") {
  test::TempDir dir("nfs_train_cli");
  TrainConfig c = test::tiny_train_config(600);
  c.train_identities = 1;
  c.steps = 4;
  c.validate_every = 2;
  c.checkpoint_every = 2;
  const std::string config = dir.write("config.json", c.to_json());
  const std::string run = dir.file("run");
  const std::string bin = std::string(NFS_BINARY_DIR) + "/nfs_train";
  auto r = test::run_command(bin + " --config " + config + " --out " + run, dir.file("train.err"));
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::ifstream f(run + "/log.csv");
  std::string header, line;
  std::getline(f, header);
  for (const char* col : {"val_exp_r2", "val_exp_tail", "val_id_vertex", "val_skin_acc",
                          "val_rig_error", "val_rig_shape_mean"})
    CHECK(header.find(col) != std::string::npos);
  int validated = 0;
  while (std::getline(f, line))
    if (line.back() != ',') ++validated;  // a validation row ends in the rig error, not an empty cell
  CHECK(validated == 3);                   // steps 0, 2, 4
  CHECK(r.err.find("rig err") != std::string::npos);
  CHECK(test::png_size(run + "/components.png").first > 0);
  {
    // A log from before the last column (val_rig_shape_mean) resumes under the new header.
    std::stringstream all;
    all << std::ifstream(run + "/log.csv").rdbuf();
    std::string text = all.str();
    const std::string column = ",val_rig_shape_mean";
    text.erase(text.find(column), column.size());
    std::ofstream(run + "/log.csv") << text;
    auto resumed =
        test::run_command(bin + " --out " + run + " --resume --steps 6", dir.file("resume.err"));
    INFO(resumed.err);
    REQUIRE(resumed.code == 0);
    std::ifstream g(run + "/log.csv");
    std::string new_header;
    std::getline(g, new_header);
    CHECK(new_header == header);
    int rows = 0;
    while (std::getline(g, line)) ++rows;
    CHECK(rows == 7);  // steps 0 to 6
  }

  const std::string report = dir.file("R.md");
  std::string out_file = dir.file("eval.out");
  const int code = std::system((bin + " --eval " + run + "/model.safetensors --report " + report + " > " + out_file +
                                " 2> " + dir.file("eval.err"))
                                   .c_str());
  REQUIRE(WEXITSTATUS(code) == 0);
  std::stringstream printed, written;
  printed << std::ifstream(out_file).rdbuf();
  written << std::ifstream(report).rdbuf();
  CHECK(printed.str().find("| self | re-mesh | stylized | cross-identity |") != std::string::npos);
  CHECK(written.str().find("rig error, closest-point baseline") != std::string::npos);
  CHECK(written.str().find("| shape | encode R² (self)") != std::string::npos);
}
