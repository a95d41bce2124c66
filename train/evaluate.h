// The evaluation of a trained model (SPEC §7 and the evaluation issue), as Markdown tables.
// Four kinds of target, each a column:
//  - self: the test identity's own neutral, ICT topology;
//  - re-mesh: the same neutral re-meshed with a seed training never uses;
//  - stylized: the neutral under a smooth warp φ with unusual proportions (train/stylize.h),
//    re-meshed with another unseen seed; ground truth φ(n + w·B) − φ(n);
//  - cross-identity: source test identity i, target test identity i + 1, ground truth that
//    identity + w.
// Per kind, for the network and for the closest-point baseline (train/closest_point_baseline.h):
// rig error (1 = no motion), retarget MSE against leaving the target neutral; for the network
// also the encode R² of the 53 weights, the identity code's R² and vertex-space error, and the
// skinning encoder's label accuracy. Targets are aligned as EvaluationOptions::align says.
// Also SPEC §7's per-segment MSE and inverse rigging, as before.
#pragma once
#include <string>

#include "geometry/align.h"
#include "train/trainer.h"

namespace nfs {

struct EvaluationOptions {
  int expressions_per_identity = 8;
  int remesh_vertices = 5000;    // the re-mesh target
  int stylized_vertices = 4000;  // the stylized targets' re-mesh
  uint64_t seed = 777;           // expressions and re-meshes of the evaluation (not training's)
  // When set: <prefix>_self.png, _cross_topology.png, _stylized.png (source | result | ground
  // truth | error for the first `picture_identities` test identities, 2 expressions each),
  // <prefix>_rig_<kind>.png (the 53 shapes, truth beside prediction, test identity 0) and
  // <prefix>_warps.png (test identity 0 under each warp).
  std::string pictures_prefix;
  int picture_identities = 3;
  // How targets are brought into the canonical frame before the network and the baseline see
  // them. The evaluation builds them there, so `none` by default; `auto` adds nfs_infer's ICP
  // and its error (it moves a test identity by ~6 mm and 3.5 % in scale against the generic head).
  AlignOptions align = [] {
    AlignOptions a;
    a.mode = AlignMode::kNone;
    return a;
  }();
};

// One column of the summary table.
struct TargetKindResult {
  std::string name;
  double mse = 0.0, zero_mse = 0.0, baseline_mse = 0.0;  // network, Δv = 0, closest point
  double rig_error = 0.0, baseline_rig_error = 0.0;       // means over the test identities
  double rig_error_shape_mean = 0.0;                      // RigError::shape_mean, the same
  std::vector<double> rig_error_per_identity, baseline_rig_error_per_identity;
  std::vector<double> rig_error_per_shape;  // network, mean over identities
  double exp_r2 = NAN, exp_tail = NAN;      // NaN: not measured for this kind
  std::vector<double> exp_r2_per_shape;     // encode R² of each of the 53 weights
  // The same split by kind of frame: dense mixes (every weight > 0, the default mix's uniform
  // part, which dominates the variance) and sparse ones (one-hot and 2-6 shapes, like real takes),
  // each with its own R² and the RMSE of the weights.
  double exp_r2_dense = NAN, exp_r2_sparse = NAN, exp_rmse_dense = NAN, exp_rmse_sparse = NAN;
  int dense_frames = 0, sparse_frames = 0;
  double id_r2 = NAN, id_vertex = NAN, skin_accuracy = NAN;
};

struct EvaluationReport {
  QualityMetrics self, cross_topology;  // baseline_mse: the same error with Δv = 0
  double inverse_rig_mse = 0.0;
  std::vector<TargetKindResult> kinds;  // self, re-mesh, stylized, cross-identity
  std::string summary;   // the summary table (Markdown)
  std::string markdown;  // the summary and every other table
};

// Evaluates `net` on the run's data definition (identities, segments) held by `trainer`.
EvaluationReport evaluate(Trainer& trainer, NfsNetwork& net, const EvaluationOptions& options,
                          const std::function<void(const std::string&)>& progress = {});

}  // namespace nfs
