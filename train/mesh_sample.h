// Measurement of retargeting (SPEC §7): batched retargets of canonical frames and their errors
// against ground truth. The forward pass itself is nn/mesh_forward.h.
#pragma once
#include <vector>

#include "nn/mesh_forward.h"
#include "train/topology.h"

namespace nfs {

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
