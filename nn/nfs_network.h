// The Neural Face Skinning network (SPEC §2, paper Figure 3a) as a module tree whose parameter
// names are the checkpoint names of SPEC §8:
//   image_encoder.*   shared image encoder (nn/image_encoder.h)
//   id_encoder.*      DiffusionNet(134 -> 128, id_blocks) on the target, mass-weighted mean -> z_ID
//   exp_encoder.*     DiffusionNet(134 -> 128, exp_blocks) on the source, mean -> z_GE
//   skin_encoder.*    DiffusionNet(134 -> L, skin_blocks) on the target, sigmoid -> z_Skin
//   skinning.mlp.*    ω = Linear(L,256) ReLU Linear(256,256) ReLU Linear(256,128), bias-free
//   decoder.linears.<0..6>.weight, decoder.norms.<0..6>.{weight,bias}, decoder.out.{weight,bias}
// Vertex features of a mesh: position (3), unit normal (3), image code c (128) = 134 per vertex.
// The decoder input per target vertex is concat(position, normal, c_tgt, z_ID, z_LE) = 390; the
// first Linear is applied as two column blocks, [0, 262) for the target-only part (computed once
// per target) and [262, 390) for z_LE (per frame), which is the same product.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "kernels/rasterize.h"
#include "nn/diffusion_net.h"
#include "nn/image_encoder.h"

namespace nfs {

struct NfsConfig {
  int64_t width = 128;      // DiffusionNet width W
  // The expression encoder's width (0: W). Its code is a mass-weighted mean after a linear last
  // layer, so z_GE spans at most that many independent directions: below 53 the encoder cannot
  // tell all 53 weights apart (the CPU preset's W = 32 capped R² at ~0.5).
  int64_t exp_width = 0;
  int id_blocks = 2, exp_blocks = 4, skin_blocks = 4;
  int64_t code_dim = 128;   // c, z_ID, z_GE, z_LE
  int64_t segments = 20;    // L
  int64_t eigenpairs = 128; // K
  int64_t skin_hidden = 256;
  int64_t decoder_hidden = 256;
  int decoder_hidden_layers = 7;  // Linear+GroupNorm+ReLU layers before the output Linear
  int decoder_groups = 32;
  float dropout = 0.5f;
  bool skinning = true;  // false: the ablation "without skinning encoder" (ω ≡ 1)
  // false (CPU preset, beyond the paper): c_tgt and z_ID enter the decoder as zeros. Their
  // per-mesh constants grew 10x in training and saturated the first layer's GroupNorm, so the
  // decoder stopped responding per vertex (docs/TRAINING.md); position and normal still tell it
  // where on the face a vertex is, and ICT expression deltas do not depend on the identity.
  bool decoder_target_codes = true;
  // Multiplies the image encoder's initial conv gains and fc weights. PyTorch's default init
  // shrinks the render ~0.42x per stride-2 conv, so at gain 1 the image code is constant across
  // a batch (spread 1e-6) and the expression encoder plateaus for ~400 steps; 2.4 removes it.
  float image_init_gain = 1.0f;
  // true (CPU preset, beyond the paper): the expression encoder also reads each source vertex's
  // offset from the source's neutral (position and normal, 6 more input features), so that it
  // need not tell the expression apart from the identity in absolute positions. The source's
  // neutral is the mesh its operators come from (the first frame, or --source-neutral).
  bool exp_neutral_offsets = false;
  // true (CPU preset, beyond the paper): z_GE = Linear(segment means of the expression encoder's
  // per-vertex output), the means taken per segment of the source's own z_Skin (the skinning
  // encoder run on the source, detached) instead of one mean over the whole head. A blink moves
  // ~1 % of the head's area: in the global mean its signal is diluted 100x, in its segment's mean
  // it is not. Needs skinning. The encoder then outputs exp_segment_channels per vertex.
  bool exp_segment_pool = false;
  int64_t exp_segment_channels = 16;
  uint64_t seed = 0;     // parameter initialization
  RasterCamera camera;   // the renderer the image encoder was trained with
  int64_t num_identity = 100, num_expression = 53;  // ICT code dimensions used by the losses

  // position 3 + normal 3 + image code: 134 at the default code_dim of 128.
  int64_t vertex_features() const { return 6 + code_dim; }
  int64_t expression_width() const { return exp_width > 0 ? exp_width : width; }
  // The expression encoder's input: the vertex features, plus the neutral offsets where on.
  int64_t expression_features() const { return vertex_features() + (exp_neutral_offsets ? 6 : 0); }
  // Its per-vertex output: the code itself, or the channels pooled per segment.
  int64_t expression_outputs() const { return exp_segment_pool ? exp_segment_channels : code_dim; }
  int64_t decoder_in() const { return 6 + 3 * code_dim; }
  int64_t target_columns() const { return 6 + 2 * code_dim; }  // decoder input without z_LE
  // A lower bound of the parameter count, from the sizes alone (the dense weights; biases, norms
  // and the image encoder's fixed convolutions left out): a checkpoint whose tensors cannot hold
  // this many floats is rejected before a network of this configuration is allocated.
  int64_t min_parameter_count() const;
  // Throws std::runtime_error("<label>: ...") for a size outside the documented range (kMaxWidth
  // etc. in nfs_network.cpp) or an inconsistent one (decoder_hidden not a multiple of groups).
  void check(const std::string& label) const;
  std::string to_json() const;
  // Throws std::runtime_error("<label>: ...") on malformed or unknown-version JSON, or a
  // configuration that check() rejects.
  static NfsConfig from_json(const std::string& json, const std::string& label);
};

class NfsNetwork : public Module {
 public:
  explicit NfsNetwork(const NfsConfig& config);

  // c = image encoder of the front render [B, 3, 256, 256] -> [B, 128]
  Var image_code(const Var& image) const;
  // concat(positions [B,V,3], normals [B,V,3], c broadcast over V) -> [B, V, 134]
  Var vertex_features(const Tensor& positions, const Tensor& normals, const Var& c) const;
  Var identity_code(const Var& features, const SpectralOperators& ops, uint64_t seed);    // [B,128]
  // [B,128]; with exp_segment_pool, z_skin [B,V,L] is the source's (skin_weights, detached).
  Var expression_code(const Var& features, const SpectralOperators& ops, uint64_t seed, const Var& z_skin = Var());
  Var skin_weights(const Var& features, const SpectralOperators& ops, uint64_t seed);     // [B,V,L]
  // ω = MLP(z_Skin): [B, V, L] -> [B, V, 128]
  Var skinning_omega(const Var& z_skin) const;
  // z_LE = ω ⊙ z_GE: ω [1 or B, V, 128], z_GE [B, 128] -> [B, V, 128]. Without skinning
  // (ablation) ω is undefined and z_LE is z_GE on every vertex of a V-vertex target.
  Var localize(const Var& omega, const Var& z_ge, int64_t num_vertices) const;
  // The first decoder layer's contribution of (position, normal, c_tgt, z_ID): [Bt, V, 256].
  Var decoder_target_term(const Tensor& positions, const Tensor& normals, const Var& c_tgt,
                          const Var& z_id) const;
  // Δv [B, V, 3] from the cached target term [1 or B, V, 256], the target's ω [1 or B, V, 128]
  // (undefined in the ablation) and the expression codes z_GE [B, 128]. The localization and the
  // first layer run fused (localized_linear): z_LE is never materialized.
  Var decode(const Var& target_term, const Var& omega, const Var& z_ge) const;
  // The same from an explicit z_LE [B, V, 128] (the unfused reference).
  Var decode_reference(const Var& target_term, const Var& z_le) const;

  NfsConfig config;
  ParamInit init;  // declared before the modules: it seeds them in construction order
  ImageEncoder image_encoder;
  DiffusionNet id_encoder, exp_encoder;
  std::unique_ptr<DiffusionNet> skin_encoder;  // null in the ablation
  std::unique_ptr<LinearStack> skinning_mlp;   // null in the ablation
  std::unique_ptr<Linear> exp_head;            // L·channels -> code, with exp_segment_pool only
  std::vector<std::unique_ptr<Linear>> decoder_linears;
  std::vector<std::unique_ptr<GroupNorm>> decoder_norms;
  Linear decoder_out;

 private:
  // GroupNorm-ReLU after the first layer's product, the other hidden layers and the output,
  // fused (gn_mlp).
  Var decoder_tail(const Var& first) const;
  Var broadcast_rows(const Var& code, int64_t num_vertices) const;
};

}  // namespace nfs
