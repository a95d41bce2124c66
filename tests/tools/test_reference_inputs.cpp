// nfs_tools reference-inputs on the bundled model and demo meshes: the file holds every input
// with consistent shapes, the network run on those tensors alone reproduces its outputs (so the
// PyTorch reference needs nothing else), and they are the engine's; a bad input leaves no file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "infer/engine.h"
#include "nn/checkpoint.h"
#include "nn/safetensors.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

using namespace nfs;

namespace {

const std::string kIct = NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors";
const std::string kModel = NFS_SOURCE_DIR "/models/nfs_default.safetensors";
const std::string kDemo = NFS_SOURCE_DIR "/data/demo/";
const std::vector<std::string> kSources = {kDemo + "sequence/frame_0000.obj", kDemo + "sequence/frame_0012.obj"};

test::CommandResult reference_inputs(const test::TempDir& dir, const std::string& target, const std::string& out) {
  return test::run_command(std::string(NFS_BINARY_DIR) + "/nfs_tools reference-inputs --model " + kModel +
                               " --source " + kSources[0] + " " + kSources[1] + " --target " + target + " -o " + out +
                               " --device cpu --ict-model " + kIct,
                           dir.file("stderr.txt"));
}

// Largest |a - b| relative to the largest |b|.
double relative_difference(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<float> x = a.to_vector(), y = b.to_vector();
  double diff = 0.0, scale = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    diff = std::max(diff, double(std::abs(x[i] - y[i])));
    scale = std::max(scale, double(std::abs(y[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

SpectralOperators operators_of(const SafetensorsFile& f, const std::string& prefix) {
  auto csr = [&](const std::string& name, int64_t V) {
    return CsrMatrix::from_host(V, V, f.at(prefix + name + ".indptr").to_int_vector(),
                                f.at(prefix + name + ".indices").to_int_vector(),
                                f.at(prefix + name + ".values").to_vector());
  };
  const int64_t V = f.at(prefix + "mass").numel();
  return SpectralOperators::make(f.at(prefix + "mass"), f.at(prefix + "evals"), f.at(prefix + "evecs"),
                                 csr("grad_x", V), csr("grad_y", V));
}

}  // namespace

TEST_CASE("nfs_tools reference-inputs holds the network's inputs and the engine's outputs", "[tools][cli]") {
  test::TempDir dir("reference_inputs");
  setenv("NFS_CACHE_DIR", dir.file("cache").c_str(), 1);
  const std::string out = dir.file("inputs.safetensors");
  test::CommandResult r = reference_inputs(dir, kDemo + "target.obj", out);
  INFO(r.err);
  REQUIRE(r.code == 0);

  const SafetensorsFile f = read_safetensors(out);
  LoadedCheckpoint ck = load_checkpoint(kModel);
  const NfsConfig& cfg = ck.network->config;
  const int64_t B = 2, D = cfg.code_dim, K = cfg.eigenpairs;
  const int64_t Vs = std::stoll(f.metadata.at("source_vertices")), Vt = std::stoll(f.metadata.at("target_vertices"));
  CHECK(f.metadata.at("frames") == "2");
  CHECK(f.metadata.at("model") == kModel);
  for (auto [prefix, n, V] : {std::make_tuple("source.", B, Vs), std::make_tuple("target.", int64_t(1), Vt)}) {
    const std::string p = prefix;
    CHECK(f.at(p + "positions").shape() == Shape{n, V, 3});
    CHECK(f.at(p + "normals").shape() == Shape{n, V, 3});
    CHECK(f.at(p + "images").shape() == Shape{n, 3, cfg.camera.height, cfg.camera.width});
    CHECK(f.at(p + "faces").size(1) == 3);
    CHECK(f.at(p + "mass").shape() == Shape{V});
    CHECK(f.at(p + "evals").shape() == Shape{K});
    CHECK(f.at(p + "evecs").shape() == Shape{V, K});
    CHECK(f.at(p + "mass_evecs").shape() == Shape{V, K});
    CHECK(f.at(p + "grad_x.indptr").shape() == Shape{V + 1});
    CHECK(f.at(p + "grad_y.values").numel() == f.at(p + "grad_y.indices").numel());
  }
  CHECK(f.at("source.neutral").shape() == Shape{Vs, 3});
  CHECK(f.at("c_src").shape() == Shape{B, D});
  CHECK(f.at("c_tgt").shape() == Shape{1, D});
  CHECK(f.at("z_ge").shape() == Shape{B, D});
  CHECK(f.at("z_id").shape() == Shape{1, D});
  CHECK(f.at("z_skin").shape() == Shape{1, Vt, cfg.segments});
  CHECK(f.at("omega").shape() == Shape{1, Vt, D});
  CHECK(f.at("delta").shape() == Shape{B, Vt, 3});

  // The network on the file's tensors alone, through the training path, gives the file's outputs.
  SpectralOperators src_ops = operators_of(f, "source."), tgt_ops = operators_of(f, "target.");
  CHECK(relative_difference(src_ops.mass_evecs, f.at("source.mass_evecs")) == 0.0);
  PreparedMesh src_mesh, tgt_mesh;
  src_mesh.ops = src_ops;
  src_mesh.faces = f.at("source.faces");
  src_mesh.neutral = f.at("source.neutral").to_vector();
  tgt_mesh.ops = tgt_ops;
  const FrameBatch src{f.at("source.positions"), f.at("source.normals"), f.at("source.images")};
  const FrameBatch tgt{f.at("target.positions"), f.at("target.normals"), f.at("target.images")};
  NoGradGuard no_grad;
  RetargetOutputs o = retarget_forward(*ck.network, src, src_mesh, tgt, tgt_mesh, 0);
  CHECK(relative_difference(o.z_ge.value(), f.at("z_ge")) < 1e-5);
  CHECK(relative_difference(o.z_id.value(), f.at("z_id")) < 1e-5);
  CHECK(relative_difference(o.z_skin.value(), f.at("z_skin")) < 1e-5);
  CHECK(relative_difference(o.omega.value(), f.at("omega")) < 1e-5);
  CHECK(relative_difference(o.delta.value(), f.at("delta")) < 1e-5);

  // And they are what the engine (nfs_infer's path) computes from the mesh files.
  EngineOptions eo;
  eo.model = kModel;
  eo.device = "cpu";
  eo.ict_model = kIct;
  Engine engine(eo);
  CHECK(relative_difference(engine.encode(kSources, AlignOptions()), f.at("z_ge")) < 1e-6);
  std::unique_ptr<Engine::Target> target = engine.prepare_target(kDemo + "target.obj", AlignOptions());
  CHECK(relative_difference(decode_frames(engine.network(), target->prepared, f.at("z_ge")), f.at("delta")) < 1e-6);
}

TEST_CASE("nfs_tools reference-inputs: a missing mesh is one line naming it, exit 1, no file", "[tools][cli]") {
  test::TempDir dir("reference_inputs_bad");
  const std::string out = dir.file("inputs.safetensors");
  test::CommandResult r = reference_inputs(dir, dir.file("missing.obj"), out);
  CHECK(r.code == 1);
  CHECK(r.err.find("missing.obj") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("nfs_tools init-model writes an untrained checkpoint of the paper network", "[tools][cli]") {
  test::TempDir dir("init_model");
  const std::string out = dir.file("paper.safetensors");
  test::CommandResult r = test::run_command(
      std::string(NFS_BINARY_DIR) + "/nfs_tools init-model --no-skinning -o " + out, dir.file("stderr.txt"));
  INFO(r.err);
  REQUIRE(r.code == 0);
  LoadedCheckpoint ck = load_checkpoint(out);
  CHECK(ck.network->config.width == NfsConfig().width);
  CHECK(ck.network->config.eigenpairs == NfsConfig().eigenpairs);
  CHECK_FALSE(ck.network->config.skinning);
}
