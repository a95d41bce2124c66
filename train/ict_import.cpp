#include "train/ict_import.h"

#include <tiny_obj_loader.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "nn/safetensors.h"

namespace nfs {

namespace {

struct ObjShape {
  std::vector<double> positions;  // all vertices, file order, parsed as doubles
  std::vector<int32_t> polygons;  // flattened, file order (neutral only)
  std::vector<int32_t> sizes;
};

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

// The "v x y z" lines of an OBJ, in file order, as doubles: deltas are taken in double
// precision and rounded once, as the shared asset was made.
std::vector<double> read_obj_positions(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::vector<double> p;
  for (std::string line; std::getline(f, line);) {
    if (line.size() < 2 || line[0] != 'v' || (line[1] != ' ' && line[1] != '\t')) continue;
    std::istringstream ss(line.substr(2));
    double x, y, z;
    if (!(ss >> x >> y >> z)) throw std::runtime_error(path + ": malformed vertex line '" + line + "'");
    p.insert(p.end(), {x, y, z});
  }
  if (p.empty()) throw std::runtime_error(path + ": no vertices");
  return p;
}

// Positions and polygons exactly as the file lists them (no triangulation, no welding).
ObjShape read_obj_raw(const std::string& path) {
  tinyobj::ObjReaderConfig config;
  config.triangulate = false;
  config.vertex_color = false;
  tinyobj::ObjReader reader;
  if (!reader.ParseFromFile(path, config)) {
    std::string why = reader.Error();
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    throw std::runtime_error(path + ": cannot read OBJ (" + (why.empty() ? "unreadable" : why) + ")");
  }
  ObjShape s;
  s.positions = read_obj_positions(path);
  for (const auto& shape : reader.GetShapes()) {
    size_t at = 0;
    for (unsigned char n : shape.mesh.num_face_vertices) {
      for (unsigned k = 0; k < n; ++k) s.polygons.push_back(shape.mesh.indices[at + k].vertex_index);
      s.sizes.push_back(n);
      at += n;
    }
  }
  return s;
}

std::vector<float> region_deltas(const std::vector<double>& shape, const ObjShape& neutral, int64_t V,
                                 const std::string& path) {
  if (shape.size() != neutral.positions.size())
    throw std::runtime_error(path + ": has " + std::to_string(shape.size() / 3) + " vertices, the neutral has " +
                             std::to_string(neutral.positions.size() / 3));
  std::vector<float> d(static_cast<size_t>(V * 3));
  for (int64_t i = 0; i < V * 3; ++i) d[i] = static_cast<float>(shape[i] - neutral.positions[i]);
  return d;
}

}  // namespace

IctImportReport import_ict_facekit(const std::string& folder, const std::string& out,
                                   const IctImportOptions& opt) {
  const std::string index_path = folder + "/vertex_indices.json";
  std::ifstream index_file(index_path);
  if (!index_file) throw std::runtime_error(index_path + ": missing (is this the kit's FaceXModel folder?)");
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(index_file);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(index_path + ": not valid JSON (" + e.what() + ")");
  }
  if (!index.contains("expressions") || !index["expressions"].is_array())
    throw std::runtime_error(index_path + ": no 'expressions' list");
  const std::vector<std::string> expression_names = index["expressions"].get<std::vector<std::string>>();

  const ObjShape neutral = read_obj_raw(folder + "/generic_neutral_mesh.obj");
  const int64_t V = opt.region_vertices, Q = opt.region_polygons;
  if (int64_t(neutral.positions.size() / 3) < V)
    throw std::runtime_error(folder + "/generic_neutral_mesh.obj: fewer than " + std::to_string(V) + " vertices");
  if (int64_t(neutral.sizes.size()) < Q)
    throw std::runtime_error(folder + "/generic_neutral_mesh.obj: fewer than " + std::to_string(Q) + " polygons");
  std::vector<int32_t> quads;
  for (int64_t p = 0, at = 0; p < Q; at += neutral.sizes[p], ++p) {
    if (neutral.sizes[p] != 4)
      throw std::runtime_error(folder + "/generic_neutral_mesh.obj: polygon " + std::to_string(p) + " is not a quad");
    for (int k = 0; k < 4; ++k) {
      const int32_t v = neutral.polygons[at + k];
      if (v >= V)
        throw std::runtime_error(folder + "/generic_neutral_mesh.obj: region polygon " + std::to_string(p) +
                                 " uses a vertex outside the region");
      quads.push_back(v);
    }
  }

  IctImportReport report;
  std::vector<float> exp_deltas, id_deltas;
  std::vector<std::string> exp_found, id_found;
  for (const std::string& name : expression_names) {
    const std::string path = folder + "/" + name + ".obj";
    if (!file_exists(path)) {
      if (!opt.allow_missing) throw std::runtime_error(path + ": missing expression shape");
      report.missing.push_back(name);
      continue;
    }
    std::vector<float> d = region_deltas(read_obj_positions(path), neutral, V, path);
    exp_deltas.insert(exp_deltas.end(), d.begin(), d.end());
    exp_found.push_back(name);
  }
  for (int j = 0; j < 100; ++j) {
    char name[32];
    std::snprintf(name, sizeof(name), "identity%03d", j);
    const std::string path = folder + "/" + name + ".obj";
    if (!file_exists(path)) {
      if (!opt.allow_missing) throw std::runtime_error(path + ": missing identity shape");
      report.missing.push_back(name);
      continue;
    }
    std::vector<float> d = region_deltas(read_obj_positions(path), neutral, V, path);
    id_deltas.insert(id_deltas.end(), d.begin(), d.end());
    id_found.push_back(name);
  }
  report.expressions = int(exp_found.size());
  report.identities = int(id_found.size());

  std::vector<float> neutral_region(neutral.positions.begin(), neutral.positions.begin() + V * 3);  // rounded once
  std::map<std::string, Tensor> tensors{
      {"neutral", Tensor::from_vector({V, 3}, neutral_region)},
      {"quads", Tensor::from_ints({Q, 4}, quads)},
      {"expression_deltas", Tensor::from_vector({int64_t(exp_found.size()), V, 3}, exp_deltas)},
      {"identity_deltas", Tensor::from_vector({int64_t(id_found.size()), V, 3}, id_deltas)}};
  std::map<std::string, std::string> meta{
      {"expression_names", nlohmann::json(exp_found).dump()},
      {"identity_names", nlohmann::json(id_found).dump()},
      {"units", "centimetres"},
      {"source", "ICT-FaceKit FaceXModel imported by nfs_tools import-ict (MIT licence: keep LICENSE beside)"}};
  if (index.contains("idx_to_landmark_verts")) meta["landmarks_ibug68"] = index["idx_to_landmark_verts"].dump();
  write_safetensors(out, tensors, meta);
  return report;
}

}  // namespace nfs
