#include "fuzz/fuzz_targets.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>

#include "geometry/operator_io.h"
#include "infer/canonical_mesh.h"
#include "infer/weights_csv.h"
#include "nn/checkpoint.h"
#include "train/train_config.h"

namespace nfs::fuzz {
namespace {

// Readers that take a path get the bytes through one file per process (libFuzzer runs one input
// at a time per process), in the temp folder.
// The files are removed when the process exits.
struct InputFiles {
  const std::string stem =
      (std::filesystem::temp_directory_path() / ("nfs_fuzz_" + std::to_string(::getpid()))).string();
  ~InputFiles() {
    for (const char* extension : {".obj", ".glb", ".gltf", ".safetensors"}) std::remove((stem + extension).c_str());
  }
};

std::string as_file(const uint8_t* data, size_t size, const std::string& extension) {
  static const InputFiles files;
  const std::string path = files.stem + extension;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return path;
}

std::string as_text(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

int read_obj_input(const uint8_t* data, size_t size) {
  geo::TriangleMesh mesh;
  load_any_mesh(as_file(data, size, ".obj"), mesh);
  return 1;
}

// As a target (the first mesh) and as source frames (morph targets, weight animation).
int read_gltf_input(const uint8_t* data, size_t size) {
  const bool binary = size >= 4 && std::string(reinterpret_cast<const char*>(data), 4) == "glTF";
  const std::string path = as_file(data, size, binary ? ".glb" : ".gltf");
  int accepted = 0;
  try {
    geo::TriangleMesh mesh;
    load_any_mesh(path, mesh);
    ++accepted;
  } catch (const std::exception&) {
  }
  std::vector<Eigen::MatrixXd> frames = source_frames(path);
  return accepted + (frames.empty() ? 0 : 1);
}

int read_checkpoint_input(const uint8_t* data, size_t size) {
  LoadedCheckpoint c = load_checkpoint(as_file(data, size, ".safetensors"));
  return c.network ? 1 : 0;
}

int read_operator_cache_input(const uint8_t* data, size_t size) {
  geo::MeshOperators ops = read_operators(as_file(data, size, ".safetensors"));
  return ops.mass.size() > 0 ? 1 : 0;
}

int read_weights_csv_input(const uint8_t* data, size_t size) {
  WeightsTable t = parse_weights_csv(as_text(data, size), "fuzz.csv");
  return t.num_frames > 0 ? 1 : 0;
}

int read_train_config_input(const uint8_t* data, size_t size) {
  TrainConfig c = TrainConfig::from_json(as_text(data, size), "fuzz.json");
  return c.steps >= 0 ? 1 : 0;
}

using Reader = std::function<int(const uint8_t*, size_t)>;
const std::map<std::string, Reader>& readers() {
  static const std::map<std::string, Reader> r = {
      {"obj", read_obj_input},
      {"gltf", read_gltf_input},
      {"checkpoint", read_checkpoint_input},
      {"operator_cache", read_operator_cache_input},
      {"weights_csv", read_weights_csv_input},
      {"train_config", read_train_config_input},
  };
  return r;
}

}  // namespace

const std::vector<std::string>& formats() {
  static const std::vector<std::string> f = [] {
    std::vector<std::string> names;
    for (const auto& [name, reader] : readers()) names.push_back(name);
    return names;
  }();
  return f;
}

int read_input(const std::string& format, const uint8_t* data, size_t size) {
  auto it = readers().find(format);
  if (it == readers().end()) throw std::invalid_argument("unknown fuzz format '" + format + "'");
  try {
    return it->second(data, size);
  } catch (const std::exception&) {  // the binaries' main() prints it as the one line
    return 0;
  }
}

}  // namespace nfs::fuzz
