// The inference engine behind nfs_infer and the library: a loaded model on a device, targets
// prepared once, sources encoded to codes, codes decoded onto a target and returned in the
// user's own frame and units.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "infer/canonical_mesh.h"
#include "nn/prepared_target.h"
#include "nn/mesh_forward.h"

namespace nfs {

struct EngineOptions {
  std::string model;        // checkpoint; empty: the default model (models/)
  std::string device = "auto";
  std::string ict_model;    // the ICT asset (alignment reference); empty: ../shared's
  int batch = 8;            // frames per encode / decode pass
};

// Called between batches of frames with the frames done and the total (long work shows progress).
using Progress = std::function<void(int64_t done, int64_t total)>;

// The default checkpoint's path: $NFS_MODEL if set; else models/nfs_default.safetensors beside
// the sources, or the installed copy (PREFIX/share/nfs/models), whichever exists first.
std::string default_model_path();

class Engine {
 public:
  explicit Engine(const EngineOptions& options);

  struct Target {
    CanonicalMesh mesh;
    PreparedMesh geometry;  // operators and faces on the device
    MeshTopology topology;  // its triangulation
    PreparedTarget prepared;
  };
  std::unique_ptr<Target> prepare_target(const std::string& path, const AlignOptions& align);
  // A mesh already in memory and checked (geo::triangulate_and_check); `name` labels errors.
  std::unique_ptr<Target> prepare_target(geo::TriangleMesh mesh, const std::string& name, const AlignOptions& align);

  // Source frames (OBJ files, or glTF/GLB files whose morph targets or animation hold several
  // frames: infer/canonical_mesh.h source_frames), all of one topology, in the canonical frame.
  // The source's neutral (`neutral`, or the first file when empty) is aligned and its operators
  // serve all frames; the frames move with its similarity. Models with exp_neutral_offsets read
  // each frame's offset from it. Held by pointer, as Target is: mesh.topology points at topology.
  struct Sources {
    MeshTopology topology;
    PreparedMesh mesh;                       // the neutral's operators, faces and positions
    std::vector<std::vector<float>> frames;  // [#V·3] canonical positions per frame, in order
  };
  std::unique_ptr<Sources> load_sources(const std::vector<std::string>& paths, const AlignOptions& align,
                                        const std::string& neutral = "");
  // The same from memory: the neutral (checked, as prepare_target's) and frames in its own frame
  // and units, each with the neutral's vertex count.
  std::unique_ptr<Sources> load_sources(geo::TriangleMesh neutral, const std::string& name,
                                        const std::vector<Eigen::MatrixXd>& frames, const AlignOptions& align);

  // Codes z_GE [N, code] of the source frames of load_sources.
  Tensor encode(const std::vector<std::string>& sources, const AlignOptions& align,
                const std::string& neutral = "");
  Tensor encode(const Sources& sources, const Progress& progress = {});

  // Codes from FACS weights [N, 53]: the first 53 dimensions, the rest 0.
  Tensor codes_from_weights(const std::vector<float>& weights, int num_frames) const;
  // And back: the FACS weights [N, 53] of codes [N, code], their first 53 dimensions.
  std::vector<float> weights_from_codes(const Tensor& codes) const;

  // Positions [N][#V·3] on the target, in the user's frame and units.
  std::vector<std::vector<float>> decode(const Target& target, const Tensor& codes, const Progress& progress = {});

  NfsNetwork& network() { return *net_; }
  const IctModel& ict() const { return ict_; }
  Device device() const { return device_; }

 private:
  EngineOptions options_;
  Device device_;
  IctModel ict_;
  std::unique_ptr<NfsNetwork> net_;
};

// The options the binaries share: --model, --device (default auto), --ict-model.
EngineOptions engine_options_from_args(const CliArgs& args);
// --source A.obj B.obj ...: the option's values and the positional arguments after it.
std::vector<std::string> source_paths_from_args(const CliArgs& args);

// One-Euro filter (Casiez et al. 2012) over a sequence of codes [N, D], per dimension: jitter
// is smoothed at low speed, fast motion passes with little lag.
std::vector<float> one_euro_filter(const std::vector<float>& codes, int num_frames, int dims, double fps,
                                   double min_cutoff = 1.0, double beta = 0.5, double d_cutoff = 1.0);

}  // namespace nfs
