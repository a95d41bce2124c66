// nfs_infer end to end: every subcommand on small meshes with a model trained in the test, the
// files read back, and the bad inputs of SPEC §9 (one line naming the file, non-zero exit, no
// output left behind).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "geometry/mesh_arrays.h"
#include "geometry/operator_io.h"
#include "geometry/remesh.h"
#include "geometry/write_obj.h"
#include "infer/blendshape_names.h"
#include "infer/gltf_read.h"
#include "infer/weights_csv.h"
#include "support/png_size.h"
#include "support/run_command.h"
#include "train/tiny_config.h"
#include "train/trainer.h"
#include "support/temp_dir.h"

using namespace nfs;
namespace fs = std::filesystem;

namespace {

const char* kIct = NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors";
// One folder per test process: ctest runs the cases in parallel processes.
// Under the system temp folder: made by set_up(), removed when the process exits (GPU cases skip
// with _Exit, so nothing is made at static initialization).
const std::string kDir =
    (fs::temp_directory_path() / ("nfs_test_infer_cli_" + std::to_string(getpid()))).string();

using Result = test::CommandResult;

// Runs nfs_infer with `args`; returns the exit code and stderr.
Result infer(const std::string& args) {
  const std::string model = args.find("--model") == std::string::npos ? " --model " + kDir + "/model/model.safetensors" : "";
  return test::run_command(std::string(NFS_BINARY_DIR) + "/nfs_infer " + args + model + " --ict-model " + kIct,
                           kDir + "/stderr.txt");
}


// Once: a model trained for 3 steps, a re-meshed target and two re-meshed source frames.
void set_up() {
  static bool done = false;
  if (done) return;
  done = true;
  static const test::TempDir temp("infer_cli");  // the folder kDir names
  fs::create_directories(kDir + "/model");
  setenv("NFS_CACHE_DIR", (kDir + "/cache").c_str(), 1);
  TrainConfig c = test::tiny_train_config(600);
  c.train_identities = 1;
  c.model.exp_neutral_offsets = true;  // as the CPU preset: the source's neutral is read
  Trainer t(c);
  for (int i = 0; i < 3; ++i) t.step();
  t.save(kDir + "/model");

  const IctModel& ict = t.ict();
  const Eigen::MatrixXi F = triangles_matrix(ict.triangles());
  Eigen::MatrixXd V2, B2, frame;
  Eigen::MatrixXi F2;
  Eigen::VectorXi I2;
  RemeshOptions ro;
  ro.target_vertices = 900;
  ro.seed = 5;
  remesh(points_matrix(ict.neutral), F, ro, V2, F2, I2, B2);
  geo::write_obj(kDir + "/target.obj", triangle_polygons(V2 * 0.01, F2));  // metres: other units than the sources
  ro.target_vertices = 700;
  ro.seed = 6;
  remesh(points_matrix(ict.neutral), F, ro, V2, F2, I2, B2);
  int n = 0;
  for (int e : {26, 45}) {
    std::vector<float> w(53, 0.0f);
    w[e] = 1.0f;
    barycentric_transfer(F, I2, B2, points_matrix(ict.shape({}, w)), frame);
    geo::write_obj(kDir + "/source_" + std::to_string(n++) + ".obj", triangle_polygons(frame, F2));
  }
}

std::string sources() { return "--source " + kDir + "/source_0.obj " + kDir + "/source_1.obj"; }

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }


}  // namespace

TEST_CASE("nfs_infer retarget writes OBJ frames and an animated GLB", "[infer][cli]") {
  set_up();
  Result r = infer("retarget " + sources() + " --target " + kDir + "/target.obj -o " + kDir + "/frames --strip " +
                   kDir + "/strip.png");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(fs::exists(kDir + "/frames/source_0.obj"));
  CHECK(fs::exists(kDir + "/frames/source_1.obj"));
  CHECK(test::png_size(kDir + "/strip.png") == std::pair<int, int>(2 * 256, 2 * 256));  // source | result, 2 frames
  r = infer("retarget " + sources() + " --target " + kDir + "/target.obj -o " + kDir + "/seq.glb --fps 24");
  REQUIRE(r.code == 0);
  GltfMesh g = read_gltf(kDir + "/seq.glb");
  CHECK(g.num_targets() == 2);
  CHECK(g.animation.length() == Approx(1.0 / 24));
}

TEST_CASE("nfs_infer rig writes the 53 named blendshapes", "[infer][cli]") {
  set_up();
  Result r = infer("rig --target " + kDir + "/target.obj -o " + kDir + "/rig.glb --sheet " + kDir + "/rig.png");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(test::png_size(kDir + "/rig.png") == std::pair<int, int>(9 * 192, 6 * 192));  // neutral + 53 in 9 columns
  GltfMesh g = read_gltf(kDir + "/rig.glb");
  CHECK(g.num_targets() == 53);
  std::vector<std::string> names(ict_expression_names().begin(), ict_expression_names().end());
  CHECK(g.target_names() == names);
  r = infer("rig --target " + kDir + "/target.obj -o " + kDir + "/rig_obj --format obj");
  REQUIRE(r.code == 0);
  CHECK(fs::exists(kDir + "/rig_obj/jawOpen.obj"));
  CHECK(std::distance(fs::directory_iterator(kDir + "/rig_obj"), fs::directory_iterator()) == 53);
  r = infer("rig --target " + kDir + "/target.obj -o " + kDir + "/rig_arkit.glb --naming arkit");
  REQUIRE(r.code == 0);
  std::vector<std::string> arkit;
  for (const ArkitColumn& c : arkit_columns()) arkit.push_back(c.name);
  CHECK(read_gltf(kDir + "/rig_arkit.glb").target_names() == arkit);
  CHECK(arkit.size() == 51);
}

TEST_CASE("nfs_infer animate reads ICT, ARKit and Live Link Face takes", "[infer][cli]") {
  set_up();
  write(kDir + "/ict.csv", "jawOpen,eyeBlink_L\n0.5,0\n1,0.2\n0,1\n");
  write(kDir + "/arkit.csv", "jawOpen,eyeBlinkLeft,browInnerUp\n0.5,0,0.3\n1,0.2,0\n");
  write(kDir + "/llf.csv",
        "Timecode,BlendShapeCount,EyeBlinkLeft,JawOpen,TongueOut,HeadYaw\n"
        "10:00:00:01.000,61,0.1,0.4,0,0.02\n10:00:00:02.000,61,0.2,0.5,0,0.03\n"
        "10:00:00:03.000,61,0.3,0.6,0,0.04\n10:00:00:04.000,61,0.4,0.7,0,0.05\n");
  for (auto [file, frames] : std::vector<std::pair<std::string, int>>{{"ict", 3}, {"arkit", 2}, {"llf", 4}}) {
    Result r = infer("animate --weights " + kDir + "/" + file + ".csv --target " + kDir + "/target.obj -o " + kDir +
                     "/" + file + ".glb --sheet " + kDir + "/" + file + ".png");
    INFO(file << ": " << r.err);
    REQUIRE(r.code == 0);
    CHECK(test::png_size(kDir + "/" + file + ".png") == std::pair<int, int>(frames * 192, 192));  // one row
    GltfMesh g = read_gltf(kDir + "/" + file + ".glb");
    CHECK(g.num_targets() == frames);
    CHECK(g.animation.length() == Approx((frames - 1) / 30.0));
  }
  // A Live Link Face take plays at its timecodes' row rate (60 rows a second here), unless --fps.
  std::string take = "Timecode,JawOpen\n";
  for (int i = 0; i < 150; ++i)
    take += "10:00:0" + std::to_string(i / 60) + ":" + std::to_string(i % 60 / 2) + ".0," + std::to_string(i / 150.0) + "\n";
  write(kDir + "/llf60.csv", take);
  for (auto [flag, fps] : std::vector<std::pair<std::string, double>>{{"", 60.0}, {" --fps 25", 25.0}}) {
    Result r = infer("animate --weights " + kDir + "/llf60.csv --target " + kDir + "/target.obj -o " + kDir +
                     "/llf60.glb" + flag);
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(read_gltf(kDir + "/llf60.glb").animation.length() == Approx(149 / fps));
  }
}

TEST_CASE("nfs_infer encode writes a weights CSV in ICT or ARKit names", "[infer][cli]") {
  set_up();
  Result r = infer("encode " + sources() + " -o " + kDir + "/w.csv --naming arkit --set jawOpen=0.75 --plot " + kDir +
                   "/w.png");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(test::png_size(kDir + "/w.png") == std::pair<int, int>(900, 500));
  WeightsTable w = read_weights_csv(kDir + "/w.csv");
  CHECK(w.num_frames == 2);
  CHECK(w.at(0, 26) == Approx(0.75f));  // --set edits every frame
}

TEST_CASE("nfs_infer encode reads the frames against --source-neutral, by default the first frame", "[infer][cli]") {
  set_up();
  auto weights = [&](const std::string& extra, const std::string& name) {
    Result r = infer("encode " + sources() + " -o " + kDir + "/" + name + ".csv" + extra);
    INFO(r.err);
    REQUIRE(r.code == 0);
    return read_weights_csv(kDir + "/" + name + ".csv");
  };
  const WeightsTable by_default = weights("", "n_default");
  const WeightsTable first = weights(" --source-neutral " + kDir + "/source_0.obj", "n_first");
  const WeightsTable second = weights(" --source-neutral " + kDir + "/source_1.obj", "n_second");
  CHECK(first.weights == by_default.weights);
  CHECK(second.weights != by_default.weights);
}

TEST_CASE("nfs_infer bad inputs: one line naming the file, non-zero exit, no output", "[infer][cli]") {
  set_up();
  const std::string target = " --target " + kDir + "/target.obj";
  auto check = [&](const std::string& args, const std::string& output, const std::string& expected) {
    Result r = infer(args);
    INFO(args << "\n" << r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(expected) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
    CHECK_FALSE(fs::exists(output));
  };
  check("retarget --source /nonexistent.obj" + target + " -o " + kDir + "/bad1.glb", kDir + "/bad1.glb",
        "/nonexistent.obj");
  write(kDir + "/garbage.obj", "this is not a mesh\n");
  check("retarget --source " + kDir + "/garbage.obj" + target + " -o " + kDir + "/bad2.glb", kDir + "/bad2.glb",
        "garbage.obj");
  write(kDir + "/nofaces.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n");
  check("retarget --source " + kDir + "/nofaces.obj" + target + " -o " + kDir + "/bad3.glb", kDir + "/bad3.glb",
        "nofaces.obj");
  write(kDir + "/nan.obj", "v 0 0 nan\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  check("retarget --source " + kDir + "/nan.obj" + target + " -o " + kDir + "/bad4.glb", kDir + "/bad4.glb", "nan.obj");
  // A sequence whose frames disagree in vertex count.
  fs::copy_file(kDir + "/target.obj", kDir + "/other_topology.obj", fs::copy_options::overwrite_existing);
  check("retarget --source " + kDir + "/source_0.obj " + kDir + "/other_topology.obj" + target + " -o " + kDir +
            "/bad5",
        kDir + "/bad5", "other_topology.obj");
  // A source neutral of another topology than the frames.
  check("encode " + sources() + " --source-neutral " + kDir + "/target.obj -o " + kDir + "/bad9.csv",
        kDir + "/bad9.csv", "the source's neutral");
  // A truncated checkpoint.
  {
    std::ifstream in(kDir + "/model/model.safetensors", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(kDir + "/truncated.safetensors", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  Result r = infer("rig" + target + " -o " + kDir + "/bad6.glb --model " + kDir + "/truncated.safetensors");
  CHECK(r.code != 0);
  CHECK(r.err.find("truncated.safetensors") != std::string::npos);
  CHECK_FALSE(fs::exists(kDir + "/bad6.glb"));
  // A CSV row with a non-numeric value.
  write(kDir + "/badrow.csv", "jawOpen,eyeBlink_L\n0.5,0\n1,abc\n");
  check("animate --weights " + kDir + "/badrow.csv" + target + " -o " + kDir + "/bad7.glb", kDir + "/bad7.glb",
        "badrow.csv:3");
  // An unknown option.
  check("rig" + target + " -o " + kDir + "/bad8.glb --frobnicate 3", kDir + "/bad8.glb", "unknown option --frobnicate");
}

TEST_CASE("nfs_infer reads glTF sources: each morph target or animation key is a frame", "[infer][cli]") {
  set_up();
  // A rig of the target written by nfs_infer itself: 53 morph targets, no animation -> 54 frames
  // (the base, then each target at weight 1).
  Result r = infer("rig --target " + kDir + "/target.obj -o " + kDir + "/source_rig.glb");
  REQUIRE(r.code == 0);
  r = infer("encode --source " + kDir + "/source_rig.glb -o " + kDir + "/rig_weights.csv");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(read_weights_csv(kDir + "/rig_weights.csv").num_frames == 54);
  // An animated sequence GLB: one frame per key.
  r = infer("retarget " + sources() + " --target " + kDir + "/target.obj -o " + kDir + "/anim_source.glb");
  REQUIRE(r.code == 0);
  r = infer("retarget --source " + kDir + "/anim_source.glb --target " + kDir + "/target.obj -o " + kDir +
            "/from_glb");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(fs::exists(kDir + "/from_glb/anim_source_0.obj"));
  CHECK(fs::exists(kDir + "/from_glb/anim_source_1.obj"));
}

TEST_CASE("two nfs_infer processes preparing one target at once share one valid cache entry", "[infer][cli][cache]") {
  set_up();
  const std::string cache = kDir + "/race_cache";
  fs::remove_all(cache);
  fs::create_directories(cache);
  auto rig = [&](const std::string& out) {
    return "NFS_CACHE_DIR=" + cache + " " + std::string(NFS_BINARY_DIR) + "/nfs_infer rig --target " + kDir +
           "/target.obj -o " + out + " --device cpu --ict-model " + kIct + " --model " + kDir +
           "/model/model.safetensors > /dev/null 2>> " + kDir + "/race.txt";
  };
  // Both start before either has written the entry; the shell reports both exit codes.
  const std::string both = "( " + rig(kDir + "/race_a.glb") + " ) & a=$!; ( " + rig(kDir + "/race_b.glb") +
                           " ) & b=$!; wait $a; ra=$?; wait $b; rb=$?; exit $((ra * 16 + rb))";
  Result r = test::run_command("bash -c '" + both + "'", kDir + "/race_stderr.txt");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(read_gltf(kDir + "/race_a.glb").num_targets() == 53);
  CHECK(read_gltf(kDir + "/race_b.glb").num_targets() == 53);
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(cache)) entries.push_back(e.path());
  REQUIRE(entries.size() == 1);  // one entry, no temporary left behind
  CHECK(read_operators(entries[0].string(), true).mass.size() > 0);
}
