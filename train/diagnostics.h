// Per-component numbers of the network (the evaluation issue): which part of the model fails.
//  - expression encoder: R² of z_GE[0:53] against the true weights, norm of z_GE[53:];
//  - identity encoder: R² of z_ID[0:100] against w_id, and the same error in vertex space;
//  - skinning encoder: per-vertex accuracy of argmax z_Skin against the segment labels;
//  - decoder: the rig error Σ_k ‖D(e_k) − D(0) − B_k‖² / Σ_k ‖B_k‖² over the 53 one-hot codes.
// The measures are plain functions of arrays (tested against closed forms); the network passes
// that feed them live beside them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "train/mesh_sample.h"

namespace nfs {

// 1 − Σ(z − w)² / Σ(w − w̄_d)² over rows, on the first `dims` entries of each row of `pred`
// (w̄_d: the mean of column d over the rows). 1 = perfect, 0 = the column means, < 0 worse.
double r_squared(const std::vector<std::vector<float>>& pred, const std::vector<std::vector<float>>& truth,
                 int64_t dims);
// The same per column d < dims (which weights the encoder tells apart, which it does not).
std::vector<double> r_squared_per_dim(const std::vector<std::vector<float>>& pred,
                                      const std::vector<std::vector<float>>& truth, int64_t dims);
// Mean over rows of the L2 norm of entries [from, end) (the code dims trained to 0).
double tail_norm(const std::vector<std::vector<float>>& codes, int64_t from);
// Σ_rows ‖(z[0:n] − w)·basis‖² / Σ_rows ‖w·basis‖², basis [n, V·3] row-major (float).
double vertex_space_error(const std::vector<std::vector<float>>& pred, const std::vector<std::vector<float>>& truth,
                          const std::vector<float>& basis, int64_t n);
// Fraction of vertices whose largest of L scores (scores [V·L]) is their label.
double label_accuracy(const std::vector<float>& scores, const std::vector<int32_t>& labels, int64_t L);

// Rig error of predicted shapes against true ones (both [K][V·3]): Σ_k ‖P_k − B_k‖² / Σ_k ‖B_k‖²,
// and per shape ‖P_k − B_k‖² / ‖B_k‖² (1 = no motion, 0 = perfect), and the mean of those: the
// pooled number weighs shapes by their size (jawOpen moves 870× the squared displacement of
// eyeWide_L), the mean counts a blink as much as a jaw.
struct RigError {
  double overall = 1.0;
  std::vector<double> per_shape;
  double shape_mean = 1.0;
};
RigError rig_error(const std::vector<std::vector<float>>& predicted, const std::vector<std::vector<float>>& truth);
// The mean of per_shape over the shapes whose name starts with `prefix` ("eye": the 14 eye shapes,
// the rig's weakest); 0 when none does.
double shape_mean_with_prefix(const RigError& r, const std::vector<std::string>& names,
                              const std::string& prefix);

// The per-component numbers of one validation or evaluation set.
struct ComponentMetrics {
  double exp_r2 = 0.0, exp_tail = 0.0;      // z_GE[0:53] vs w; mean ‖z_GE[53:]‖
  double id_r2 = 0.0, id_vertex = 0.0;      // z_ID[0:100] vs w_id (R² needs several identities)
  double skin_accuracy = 0.0;               // argmax z_Skin vs labels (0 in the ablation)
  double rig_error = 1.0;
  double rig_error_shape_mean = 1.0;  // every shape counted alike (the eyes show here)
};

// What the target side of the network gives for one prepared mesh (inference mode).
struct TargetDiagnostics {
  std::vector<float> z_id;    // [D]
  std::vector<float> z_skin;  // [V·L] (empty in the ablation)
  std::vector<std::vector<float>> rig;  // [K][V·3]: D(e_k) − D(0), K = num_expression
};
TargetDiagnostics diagnose_target(NfsNetwork& net, const PreparedMesh& target, Device device);
// The rig a decoder draws on one target: D(e_k) − D(0) for each of the num_expression shapes,
// [K][V·3], from the target's term [1, V, H] and ω [1, V, C] (undefined in the ablation).
std::vector<std::vector<float>> decode_rig(const NfsNetwork& net, const Var& target_term,
                                           const Var& omega);
// z_GE of each source frame on source_mesh (inference mode), batched.
std::vector<std::vector<float>> expression_codes(NfsNetwork& net, const PreparedMesh& source_mesh,
                                                 const std::vector<std::vector<float>>& sources, int batch,
                                                 Device device);

}  // namespace nfs
