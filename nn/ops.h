// Differentiable ops on Vars. Each checks its inputs' shapes and devices, runs the CPU or CUDA
// kernel of kernels/ on the inputs' device, and records its backward. All inputs of one op must
// live on the same device. Shapes use the engine's conventions (nn/shape.h).
#pragma once
#include <cstdint>
#include <vector>

#include "nn/autograd.h"
#include "nn/sparse.h"

namespace nfs {

// ---- products -----------------------------------------------------------------------------
// C = op(A) · op(B), op = transpose when asked. A is [M,K] or [B,M,K] ([K,M] / [B,K,M] when
// trans_a), likewise B; a 2-D operand is shared by every batch entry. Result [M,N] or [B,M,N].
Var matmul(const Var& a, const Var& b, bool trans_a = false, bool trans_b = false);
// y = x Wᵀ + bias over the last axis: x [..., in], weight [out, in] (PyTorch layout),
// bias [out] or undefined. Result [..., out].
Var linear(const Var& x, const Var& weight, const Var& bias = Var());
// y = S x with a constant sparse S [R, V]: x [V, C] -> [R, C], or [B, V, C] -> [B, R, C].
Var spmm(const CsrMatrix& s, const Var& x);

// ---- elementwise (numpy broadcasting, up to 4-D; e.g. [B,V,C] with [V,C], [B,1,C] or [C]) -----
Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var scale(const Var& x, float s);
Var relu(const Var& x);
Var leaky_relu(const Var& x, float negative_slope);
Var tanh(const Var& x);
Var sigmoid(const Var& x);
Var exp(const Var& x);
// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p).
// The mask is a pure function of (seed, element index), identical on CPU and CUDA.
// Identity when !training or p == 0.
Var dropout(const Var& x, float p, uint64_t seed, bool training);

// ---- shape ---------------------------------------------------------------------------------
// Same values, new shape of the same element count (shares storage; no copy).
Var reshape(const Var& x, const Shape& shape);
// Concatenation along the last (channel) axis; all other dimensions must agree.
Var concat(const std::vector<Var>& xs);
// Channels [start, start + length) of the last axis.
Var slice(const Var& x, int64_t start, int64_t length);

// ---- reductions ----------------------------------------------------------------------------
Var sum(const Var& x);   // all elements -> [1]
Var mean(const Var& x);  // all elements -> [1]
// Mass-weighted mean over vertices: x [B, V, C] -> [B, C] (or [V, C] -> [C]),
// Σ_i m_i x_i / Σ_i m_i with a constant mass [V].
Var vertex_mean(const Var& x, const Tensor& mass);
// The weights of per-segment means (a constant, no gradient): s [B, V, L] soft segments, mass
// [V] -> w [B, V, L] = m_v s_bvl / Σ_u m_u s_bul (kernels/segment_weights.h), so that
// matmul(w, h, true) is [B, L, C] of segment means of h [B, V, C].
Tensor segment_weights(const Tensor& s, const Tensor& mass);

// ---- normalization -------------------------------------------------------------------------
// GroupNorm over per-vertex features x [B, V, C] (or [V, C] as B = 1): C channels in `groups`
// groups; mean and variance per mesh b and group over the group's channels and all V vertices
// (PyTorch GroupNorm on a (B, C, V) tensor), then y = x̂ · gamma[c] + beta[c].
Var group_norm(const Var& x, const Var& gamma, const Var& beta, int groups, float eps = 1e-5f);
// Weight normalization: w = g · v / ‖v‖ with the norm per output channel (first axis of v).
Var weight_norm(const Var& v, const Var& g);

// ---- geometry -------------------------------------------------------------------------------
// Area-weighted unit vertex normals (kernels/vertex_normals.h) of positions [B, V, 3] (or
// [V, 3]) with triangles faces [F, 3] int32 (constant). Differentiable in the positions: the
// normal loss goes through it.
Var vertex_normals(const Var& positions, const Tensor& faces);

// ---- images --------------------------------------------------------------------------------
// 2-D convolution (cross-correlation), x [B, Ci, H, W], weight [Co, Ci, kh, kw], bias [Co] or
// undefined; output [B, Co, (H + 2p - kh)/s + 1, (W + 2p - kw)/s + 1], zero padding.
Var conv2d(const Var& x, const Var& weight, const Var& bias, int stride, int padding);

// ---- fused network ops (kernels/spectral_diffusion.h, ...) ----------------------------------
// Spectral diffusion Φ (exp(-λ tᵀ) ⊙ (MΦ)ᵀ x) for x [B, V, C] (or [V, C]) and diffusion times
// t [C] (used as given: the caller clamps), with one mesh's constant evecs Φ [V, K],
// mass_evecs MΦ [V, K] and evals λ [K]. Gradients for x and t.
Var spectral_diffusion(const Var& x, const Var& t, const Tensor& evecs, const Tensor& mass_evecs,
                       const Tensor& evals);
// Hadamard localization fused into the decoder's first layer (kernels/localized_linear.h):
// T [Bt, V, H] + W (ω ⊙ z_b) per vertex, ω [Bo, V, Cz], z [B, Cz], W [H, Cz]; Bt, Bo ∈ {1, B}.
// Result [B, V, H]. Gradients for all four inputs.
Var localized_linear(const Var& target_term, const Var& omega, const Var& z, const Var& weight);
// The decoder's GroupNorm-MLP after its first product, fused (kernels/gn_mlp.h):
//   h_{i+1} = relu(GN_i(h_i)) W_iᵀ for i < n-1 (bias-free), out = relu(GN_{n-1}(h_{n-1})) W_outᵀ + b
// with h_0 [B, V, H], n = gammas.size() GroupNorms (γ_i, β_i [H], `groups` groups, statistics
// per mesh over all V vertices), n-1 hidden weights [H, H], W_out [N, H], b_out [N].
// Result [B, V, N]. Gradients for h_0 and every parameter.
Var gn_mlp(const Var& h0, const std::vector<Var>& gammas, const std::vector<Var>& betas,
           const std::vector<Var>& weights, const Var& out_weight, const Var& out_bias, int groups,
           float eps = 1e-5f);

// ---- losses (means over all elements) ------------------------------------------------------
Var mse_loss(const Var& prediction, const Var& target);
// Binary cross-entropy of probabilities p against targets in [0,1]; logs clamped at -100
// like PyTorch so p = 0 or 1 stays finite.
Var bce_loss(const Var& p, const Var& target);
// Hinge outside [0, 1] (paper eq. 5): mean of (-z for z < 0, z - 1 for z > 1, else 0).
Var hinge01_loss(const Var& z);

}  // namespace nfs
