// Hand-made hostile headers for every input format, through the binaries as a user would run
// them: one line naming the file and the problem, a non-zero exit, no output file, and no
// allocation beyond what the file implies (each run is limited to 4 GB of address space, so an
// attempt to allocate from a forged size would end in std::bad_alloc, not in the expected line).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "nn/safetensors.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace nfs;

namespace {

const char* kIct = NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors";
const char* kModel = NFS_SOURCE_DIR "/models/nfs_default.safetensors";

#if defined(__SANITIZE_ADDRESS__)
const std::string kLimit = "";  // ASan reserves terabytes of shadow address space
#else
const std::string kLimit = "ulimit -v 4194304; ";
#endif

void put(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string u32(uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string u64(uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }

// Runs `binary args` and checks the SPEC §9 contract for a bad input.
void rejects(const test::TempDir& dir, const std::string& binary, const std::string& args,
             const std::string& file, const std::string& problem, const std::string& output) {
  test::CommandResult r = test::run_command(
      kLimit + std::string(NFS_BINARY_DIR) + "/" + binary + " " + args, dir.file("stderr.txt"));
  INFO(binary + " " + args + "\n" + r.err);
  CHECK(r.code != 0);
  CHECK(r.err.find(file) != std::string::npos);
  CHECK(r.err.find(problem) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.size() < 600);
  CHECK_FALSE(fs::exists(output));
}

std::string triangle_obj() { return "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"; }

}  // namespace

TEST_CASE("hostile OBJ and glTF targets", "[infer][cli][hostile]") {
  test::TempDir dir("hostile_mesh");
  const std::string out = dir.file("out.glb"), tail = " -o " + out + " --device cpu --ict-model " + kIct;
  put(dir.file("index.obj"), "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4000000000\n");
  rejects(dir, "nfs_infer", "rig --target " + dir.file("index.obj") + tail, "index.obj", "refers to vertex", out);

  // A GLB header and JSON chunk that claim 2 GB and 1 GB in a 40-byte file.
  const std::string json = "{\"asset\":{\"version\":\"2.0\"}}    ";
  put(dir.file("long.glb"), "glTF" + u32(2) + u32(1u << 31) + u32(1u << 30) + "JSON" + json);
  rejects(dir, "nfs_infer", "rig --target " + dir.file("long.glb") + tail, "long.glb", "glTF", out);

  // A well-formed GLB whose accessor claims 2^30 positions in a 36-byte buffer.
  nlohmann::json g = {{"asset", {{"version", "2.0"}}},
                      {"buffers", {{{"byteLength", 36}}}},
                      {"bufferViews", {{{"buffer", 0}, {"byteLength", 36}}}},
                      {"accessors", {{{"bufferView", 0}, {"componentType", 5126}, {"count", 1 << 30}, {"type", "VEC3"},
                                      {"min", {0, 0, 0}}, {"max", {1, 1, 0}}}}},
                      {"meshes", {{{"primitives", {{{"attributes", {{"POSITION", 0}}}}}}}}}};
  std::string j = g.dump();
  while (j.size() % 4) j += ' ';
  const std::string bin(36, '\0');
  const std::string glb = "glTF" + u32(2) + u32(uint32_t(12 + 8 + j.size() + 8 + bin.size())) + u32(uint32_t(j.size())) +
                          "JSON" + j + u32(uint32_t(bin.size())) + std::string("BIN\0", 4) + bin;
  put(dir.file("count.glb"), glb);
  rejects(dir, "nfs_infer", "rig --target " + dir.file("count.glb") + tail, "count.glb", "count.glb: ", out);
}

TEST_CASE("hostile checkpoints: forged lengths, shapes and sizes", "[infer][cli][hostile]") {
  test::TempDir dir("hostile_model");
  put(dir.file("t.obj"), triangle_obj());
  const std::string out = dir.file("out.glb");
  auto rig = [&](const std::string& model) {
    return "rig --target " + dir.file("t.obj") + " --model " + model + " -o " + out + " --device cpu --ict-model " + kIct;
  };
  put(dir.file("header.safetensors"), u64(uint64_t(1) << 60) + "{}");
  rejects(dir, "nfs_infer", rig(dir.file("header.safetensors")), "header.safetensors", "runs past the end", out);

  const std::string h = R"({"a":{"dtype":"F32","shape":[1099511627776,1048576],"data_offsets":[0,4]}})";
  put(dir.file("shape.safetensors"), u64(h.size()) + h + std::string(4, '\0'));
  rejects(dir, "nfs_infer", rig(dir.file("shape.safetensors")), "shape.safetensors", "needs", out);

  const std::string o = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,1152921504606846976]}})";
  put(dir.file("offset.safetensors"), u64(o.size()) + o + std::string(4, '\0'));
  rejects(dir, "nfs_infer", rig(dir.file("offset.safetensors")), "offset.safetensors", "run past the end of the data", out);

  // The shipped model with a configuration 128x wider than its tensors: refused from the sizes,
  // before a network of gigabytes is allocated.
  nfs::SafetensorsFile m = nfs::read_safetensors(kModel);
  nlohmann::json c = nlohmann::json::parse(m.metadata.at("config"));
  c["width"] = 4096;
  c["decoder_hidden"] = 8192;
  m.metadata["config"] = c.dump();
  nfs::write_safetensors(dir.file("wide.safetensors"), m.tensors, m.metadata);
  rejects(dir, "nfs_infer", rig(dir.file("wide.safetensors")), "wide.safetensors", "needs at least", out);
}

TEST_CASE("hostile weights CSV and training configuration", "[infer][cli][hostile]") {
  test::TempDir dir("hostile_text");
  put(dir.file("t.obj"), triangle_obj());
  const std::string out = dir.file("out.glb");
  std::string header, row;
  for (int i = 0; i < 100000; ++i) {
    header += (i ? "," : "") + ("c" + std::to_string(i));
    row += i ? ",0" : "0";
  }
  put(dir.file("wide.csv"), header + "\n" + row + "\n");
  rejects(dir, "nfs_infer",
          "animate --weights " + dir.file("wide.csv") + " --target " + dir.file("t.obj") + " -o " + out +
              " --device cpu --ict-model " + kIct,
          "wide.csv", "(100000 columns)", out);

  const std::string run = dir.file("run");
  put(dir.file("batch.json"), R"({"batch": 1000000000})");
  rejects(dir, "nfs_train", "--config " + dir.file("batch.json") + " --out " + run + " --device cpu", "batch.json",
          "batch must be in [1, 1024]", run);
  put(dir.file("vertices.json"), R"({"remesh_vertices": [2000000000]})");
  rejects(dir, "nfs_train", "--config " + dir.file("vertices.json") + " --out " + run + " --device cpu",
          "vertices.json", "remesh_vertices", run);
  put(dir.file("width.json"), R"({"model": {"width": 100000000}})");
  rejects(dir, "nfs_train", "--config " + dir.file("width.json") + " --out " + run + " --device cpu", "width.json",
          "width 100000000 is outside", run);
}
