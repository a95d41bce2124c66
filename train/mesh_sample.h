// The meshes of one training or evaluation sample, on the model's device, and the network pass
// that retargets them (shared by training, validation and evaluation).
#pragma once
#include <vector>

#include "nn/nfs_network.h"
#include "train/topology.h"

namespace nfs {

// One neutral (identity, topology) with what the network and the losses need of it.
struct PreparedMesh {
  const Topology* topology = nullptr;
  std::vector<float> neutral;  // [V, 3] canonical frame, host
  SpectralOperators ops;       // device
  CsrMatrix jacobian;          // [3F, V] hat-function gradients of the neutral, device
  Tensor faces;                // [F, 3] int32, device
};

// Builds a PreparedMesh from canonical neutral positions (operators from the on-disk cache).
PreparedMesh prepare_mesh(const Topology& topology, std::vector<float> neutral, int eigenpairs, Device device);

// The same mesh scaled by s about the origin: operators scaled exactly (mass s², λ / s², Φ / s,
// gradients and Jacobian operator / s). Offsets change no operator.
PreparedMesh scaled_mesh(const PreparedMesh& mesh, float s);

// Frames of one mesh: positions [B, V, 3] on the device with their normals and front renders.
struct FrameBatch {
  Tensor positions, normals, images;
};
FrameBatch make_frames(const std::vector<float>& positions, int64_t frames, const PreparedMesh& mesh,
                       const RasterCamera& camera, Device device);

// The source side: z_GE [B, 128] of the frames.
Var encode_source(NfsNetwork& net, const FrameBatch& source, const PreparedMesh& source_mesh, uint64_t seed);
// The target side (one neutral, or several of one topology): everything but z_GE.
struct TargetCodes {
  Var z_id, z_skin, omega, target_term;  // z_skin, omega undefined in the ablation
};
TargetCodes encode_target(NfsNetwork& net, const FrameBatch& target, const PreparedMesh& target_mesh, uint64_t seed);

// Everything the forward pass produced that the losses look at.
struct RetargetOutputs {
  Var z_ge, z_id, z_skin, omega, target_term, delta;  // delta: Δv [B, Vt, 3]
};
// decode = false leaves delta undefined (training's warm-up decodes the true code instead).
RetargetOutputs retarget_forward(NfsNetwork& net, const FrameBatch& source, const PreparedMesh& source_mesh,
                                 const FrameBatch& target, const PreparedMesh& target_mesh, uint64_t seed,
                                 bool decode = true);

}  // namespace nfs

namespace nfs {

// SPEC §7 expression quality: MSE over vertices of |v - v_GT|² (canonical units), per segment,
// and the mean of the per-segment MSEs (over segments present on the mesh).
struct QualityMetrics {
  double mse = 0.0;
  std::vector<double> per_segment;
  double mean_of_segments = 0.0;
  double baseline_mse = 0.0;  // the same MSE for Δv = 0 (the target left neutral): what to beat
  int64_t samples = 0;
};

// Retargets `sources` (each [Vs·3] canonical positions on source_mesh) onto target_mesh's
// neutral in batches: the predicted positions (neutral + Δv, [Vt·3] each). Inference mode.
std::vector<std::vector<float>> retarget_positions(NfsNetwork& net, const PreparedMesh& source_mesh,
                                                   const std::vector<std::vector<float>>& sources,
                                                   const PreparedMesh& target_mesh, int batch, Device device);

// SPEC §7's numbers of predicted positions `results` against `truths` (each [Vt·3]) on a target
// whose rest pose is `neutral` (for the Δv = 0 baseline), per segment of `labels`.
QualityMetrics compare_positions(const std::vector<std::vector<float>>& results,
                                 const std::vector<std::vector<float>>& truths, const std::vector<float>& neutral,
                                 const std::vector<int32_t>& labels, int num_labels);

// Retargets `sources` (each [Vs·3] canonical positions on source_mesh) onto target_mesh's
// neutral in batches, and compares with `truths` ([Vt·3] each): SPEC §7's MSE over vertices,
// per segment (labels [Vt] in [0, L)) and the mean of the per-segment MSEs. Inference mode.
QualityMetrics measure_retarget(NfsNetwork& net, const PreparedMesh& source_mesh,
                                const std::vector<std::vector<float>>& sources, const PreparedMesh& target_mesh,
                                const std::vector<std::vector<float>>& truths, const std::vector<int32_t>& labels,
                                int num_labels, int batch, Device device);

}  // namespace nfs
