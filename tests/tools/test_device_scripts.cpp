// The prepared GPU run's scripts (issue 17), rehearsed on the CPU: tools/device_run.sh's argument
// handling, tools/device_pack.sh's pack and size check, and a dry run that unpacks the pack, trains
// a tiny configuration and resumes the state it carried. Everything goes under a temporary folder
// ($NFS_DEVICE_DIR, $OUT); the checkout is not written.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "infer/cli.h"
#include "support/run_command.h"
#include "support/temp_dir.h"
#include "train/tiny_config.h"

using namespace nfs;
namespace fs = std::filesystem;

namespace {

test::CommandResult script(const std::string& env, const std::string& args, const fs::path& dir) {
  return test::run_command(env + " bash " NFS_SOURCE_DIR "/tools/" + args, (dir / "stderr.txt").string());
}

int64_t state_step(const fs::path& run) {
  return nlohmann::json::parse(read_text_file((run / "train_state.json").string())).at("step").get<int64_t>();
}

}  // namespace

TEST_CASE("device_run.sh rejects bad arguments with one line", "[tools][device]") {
  test::TempDir dir("device_args");
  const std::string env = "NFS_DEVICE_DIR=" + (dir.path / "dev").string() + " OUT=" + (dir.path / "out").string();
  for (auto [args, expected] : std::vector<std::pair<std::string, std::string>>{
           {"--minutes 1", "--minutes must be an integer >= 2"},
           {"--frobnicate", "unknown argument '--frobnicate'"},
           {"--only bench,fly", "unknown step 'fly'"},
           {"--train-config /nonexistent.json", "/nonexistent.json: no such file"},
           {"--bin /nonexistent", "/nonexistent/nfs_infer is missing"}}) {
    const test::CommandResult r = script(env, "device_run.sh " + args, dir.path);
    INFO(args << ": " << r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(expected) != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir.path / "out"));
}

TEST_CASE("device_pack.sh packs the build, checks the size, and device_run.sh resumes a carried state",
          "[tools][device]") {
  test::TempDir dir("device_pack");
  const fs::path dev = dir.path / "dev";
  fs::create_directories(dev);
  const std::string env = "NFS_DEVICE_DIR=" + dev.string();
  const std::string pack = "device_pack.sh --build " NFS_BINARY_DIR " --allow-cpu";
  // Over a limit it cannot meet: exit 1 with the sizes; the pack is still made.
  test::CommandResult r = script(env, pack + " --limit-mib 1", dir.path);
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.err.find("over the limit") != std::string::npos);
  REQUIRE(fs::exists(dev / "pack.tar.xz"));
  CHECK_FALSE(fs::exists(dev / "stage"));

  // A dry run of the training step alone, from the pack, on a tiny configuration.
  TrainConfig tiny = test::tiny_train_config(600);
  tiny.train_identities = 1;
  const fs::path config = dir.path / "tiny.json";
  std::ofstream(config) << tiny.to_json();
  const std::string run = "device_run.sh --dry-run --minutes 2 --only train --train-seconds 15 --train-config " +
                          config.string();
  r = script(env + " OUT=" + (dir.path / "out1").string(), run, dir.path);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(fs::exists(dev / "bin" / "nfs_train"));  // unpacked, and the binaries that ran
  const std::string summary1 = read_text_file((dir.path / "out1" / "summary.txt").string());
  CHECK(summary1.find("tests: not run (--only)") != std::string::npos);
  CHECK(summary1.find("train (dry run, 15 s)") != std::string::npos);
  const int64_t first = state_step(dir.path / "out1" / "train");
  CHECK(first > 0);

  // Its state carried to the next run is resumed there.
  fs::create_directories(dev / "train");
  for (const auto& e : fs::directory_iterator(dir.path / "out1" / "train"))
    if (e.is_regular_file()) fs::copy_file(e.path(), dev / "train" / e.path().filename());
  r = script(env + " OUT=" + (dir.path / "out2").string(), run, dir.path);
  REQUIRE(r.code == 0);
  const std::string summary2 = read_text_file((dir.path / "out2" / "summary.txt").string());
  CHECK(summary2.find("resuming the carried state") != std::string::npos);
  CHECK(state_step(dir.path / "out2" / "train") > first);
}
