// DiffusionNet (Sharp et al. 2022) as its reference implementation defines it (SPEC §2):
// first Linear(C_in, W); N blocks; last Linear(W, C_out). A block on x [B, V, W]:
//   1. spectral diffusion with a learned time per channel:
//      x_d = Φ (exp(-λ tᵀ) ⊙ Φᵀ (M x)),  t clamped to >= 1e-8 before use;
//   2. gradient features: g = (Gx x_d, Gy x_d); b = (A_re g_x - A_im g_y, A_re g_y + A_im g_x);
//      feature = tanh(g_x ⊙ b_x + g_y ⊙ b_y);
//   3. x + MLP(concat(x, x_d, feature)), MLP = Linear(3W,W) ReLU [Dropout] Linear(W,W) ReLU
//      [Dropout] Linear(W,W).
// Parameter names: first_lin.*, blocks.<i>.diffusion_time, blocks.<i>.grad_features.A_re.weight,
// blocks.<i>.grad_features.A_im.weight, blocks.<i>.mlp.<0|1|2>.{weight,bias}, last_lin.*.
#pragma once
#include <memory>
#include <vector>

#include "nn/layers.h"
#include "nn/sparse.h"

namespace nfs {

// The per-mesh operators DiffusionNet uses, on the model's device (geometry/ computes them).
struct SpectralOperators {
  Tensor mass;        // [V] lumped mass
  Tensor evals;       // [K] eigenvalues, ascending, >= 0
  Tensor evecs;       // [V, K] mass-orthonormal eigenvectors
  Tensor mass_evecs;  // [V, K] M Φ: the mass folded into the basis for the projection
  CsrMatrix grad_x;   // [V, V] gradient operator, x component in each vertex's tangent frame
  CsrMatrix grad_y;   // [V, V] y component
  int64_t num_vertices() const { return mass.numel(); }
  int64_t num_eigenpairs() const { return evals.numel(); }
  SpectralOperators to(Device device) const;
  // Assembles the operators (on the tensors' device) and derives mass_evecs.
  static SpectralOperators make(Tensor mass, Tensor evals, Tensor evecs, CsrMatrix grad_x,
                                CsrMatrix grad_y);
};

class GradientFeatures : public Module {
 public:
  GradientFeatures(int64_t width, ParamInit& init);
  // gx, gy: [B, V, W] gradient components of the diffused features.
  Var forward(const Var& gx, const Var& gy) const;
  Linear A_re, A_im;
};

class DiffusionBlock : public Module {
 public:
  DiffusionBlock(int64_t width, float dropout, ParamInit& init);
  Var forward(const Var& x, const SpectralOperators& ops, uint64_t seed);
  // Step 1 with the fused kernel (what forward uses) and as a composition of basic ops (the
  // reference it is tested against).
  Var diffuse(const Var& x, const SpectralOperators& ops);
  Var diffuse_reference(const Var& x, const SpectralOperators& ops);
  Var diffusion_time;  // [W]
  GradientFeatures grad_features;
  LinearStack mlp;
};

class DiffusionNet : public Module {
 public:
  DiffusionNet(int64_t c_in, int64_t c_out, int64_t width, int blocks, float dropout,
               ParamInit& init);
  // x [B, V, C_in] -> [B, V, C_out] per vertex. `seed` drives the dropout masks in training.
  Var forward(const Var& x, const SpectralOperators& ops, uint64_t seed);
  Linear first_lin;
  std::vector<std::unique_ptr<DiffusionBlock>> blocks;
  Linear last_lin;
};

}  // namespace nfs
