#include "train/user_data.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "geometry/mesh_arrays.h"
#include "infer/canonical_mesh.h"

namespace nfs {

std::unique_ptr<UserSequence> load_user_sequence(const std::string& folder, const IctModel& model, int eigenpairs, Device device) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(folder, ec))
    if (e.is_regular_file() && e.path().extension() == ".obj") files.push_back(e.path().string());
  if (ec) throw std::runtime_error(folder + ": cannot read the folder (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  if (files.size() < 2) throw std::runtime_error(folder + ": needs a neutral and at least one frame (OBJ files)");
  auto neutral_it = std::find_if(files.begin(), files.end(), [](const std::string& f) {
    return std::filesystem::path(f).filename() == "neutral.obj";
  });
  const std::string neutral_file = neutral_it != files.end() ? *neutral_it : files.front();

  auto seq = std::make_unique<UserSequence>();
  UserSequence& s = *seq;
  s.folder = folder;
  CanonicalMesh neutral = load_canonical_mesh(neutral_file, AlignOptions(), model);
  s.topology.name = "user:" + folder;
  s.topology.F = neutral.mesh.F;
  s.topology.num_vertices = neutral.V.rows();
  s.topology.labels.assign(size_t(s.topology.num_vertices), 0);
  for (const std::string& f : files) {
    if (f == neutral_file) continue;
    geo::TriangleMesh frame;
    geo::load_mesh(f, frame);
    if (frame.V().rows() != neutral.V.rows())
      throw std::runtime_error(f + ": " + std::to_string(frame.V().rows()) + " vertices, the neutral " + neutral_file +
                               " has " + std::to_string(neutral.V.rows()) + " (frames must share the neutral's topology)");
    s.frames.push_back(points_vector(neutral.to_canonical.apply(frame.V())));
  }
  s.neutral = prepare_mesh(s.topology, points_vector(neutral.V), eigenpairs, device);
  return seq;
}

}  // namespace nfs
