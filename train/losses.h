// The training losses of SPEC §6 (paper eq. 2–9). Conventions: ‖·‖² sums over a vector's
// components (xyz of a vertex, the 9 entries of a Jacobian, the dims of a code); means are over
// vertices / triangles and the batch.
#pragma once
#include "nn/ops.h"

namespace nfs {

// Paper weights: L_dec = 10 L_v + 1 L_n + 1 L_g, every other term 1. A weight of 0 skips the
// term's computation (its log column is then 0).
struct LossWeights {
  float vertex = 10.0f, normal = 1.0f, jacobian = 1.0f;
  float identity = 1.0f, expression = 1.0f, projection = 1.0f, reconstruction = 1.0f;
  float weights = 1.0f;  // L_BW (beyond the paper, TrainConfig::use_weights_loss)
  float skin = 1.0f;
};

// Mean over rows of the squared distance between [..., C] rows: Σ_c (a - b)² averaged over the
// other axes. L_v, L_n (C = 3) and L_g (Jacobians as rows of 9).
Var mean_squared_distance(const Var& a, const Var& b);

// L_ID or L_Exp (eq. 4): ‖z[:n] - target‖² + ‖z[n:]‖², averaged over the batch.
// z [B, D], target [B, n] with n <= D. mean_over_dims: divided by D (the authors' MSELoss).
Var code_loss(const Var& z, const Tensor& target, bool mean_over_dims = false);

// L_reg (eq. 5): hinge outside [0, 1], averaged over the batch's code entries.
Var code_range_loss(const Var& z);

// L_BP (eq. 7): blendshape projection. z_exp [B, D] (its first E dims are the weights),
// w [B, E], basis [E, V·3] (the expression deltas on the mesh): mean over vertices and batch of
// ‖(z[:E] - w) · basis‖² per vertex.
Var blendshape_projection_loss(const Var& z_exp, const Tensor& w, const Tensor& basis);

// L_BR (eq. 8): ‖sg(z[:E]) · basis - Δv‖² per vertex, mean over vertices and batch. The caller
// decodes Δv [B, V, 3] from sg(z_GE) (Var::detach), so only the decoder learns from it; the
// blendshape side is detached here.
Var blendshape_reconstruction_loss(const Var& z_exp, const Tensor& basis, const Var& decoded);

// The same with each sample's error divided by its blendshape displacement's mean squared size
// (+ floor): every shape counts by its relative error, so a blink (a few mm on the lids) weighs as
// much as jawOpen. The per-sample weights are constants.
Var relative_reconstruction_loss(const Var& z_exp, const Tensor& basis, const Var& decoded, float floor);

// One-hot [V, L] targets of per-vertex labels [V] (int32), built once per mesh.
Tensor one_hot(const std::vector<int32_t>& labels, int64_t num_labels, Device device);
// L_nll (eq. 2): binary cross-entropy of z_Skin [B, V, L] against one-hot targets [V, L].
Var skinning_nll_loss(const Var& z_skin, const Tensor& one_hot_labels);

}  // namespace nfs
