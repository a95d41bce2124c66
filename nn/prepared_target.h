// A prepared target (SPEC §2, last bullet): everything that depends on the target mesh alone is
// computed once — its operators, image code c_tgt, z_ID, z_Skin, ω and the decoder's first-layer
// term of (position, normal, c_tgt, z_ID) — so a frame, or a batch of frames of a sequence,
// costs only the source encoding, ω ⊙ z_GE fused into the first layer, and the decoder.
// Inference only (no gradients are recorded).
#pragma once
#include "nn/nfs_network.h"

namespace nfs {

struct PreparedTarget {
  Tensor positions;  // [1, V, 3] canonical frame
  Tensor normals;    // [1, V, 3]
  SpectralOperators ops;
  Tensor c;           // [1, code]
  Tensor z_id;        // [1, code]
  Tensor z_skin;      // [1, V, L] (undefined in the ablation)
  Tensor omega;       // [1, V, code] (undefined in the ablation)
  Tensor target_term;  // [1, V, decoder_hidden]
  int64_t num_vertices() const { return positions.size(1); }
};

// @param image  [1, 3, 256, 256] front render of the target (canonical frame)
PreparedTarget prepare_target(NfsNetwork& net, const Tensor& positions, const Tensor& normals,
                              const Tensor& image, const SpectralOperators& ops);

// Expression codes z_GE [B, code] of B source frames sharing one mesh's operators.
// positions, normals [B, Vs, 3]; images [B, 3, 256, 256]. Models that read the source's neutral
// (exp_neutral_offsets) need nn/mesh_forward.h encode_source instead: this throws for them.
Tensor encode_expressions(NfsNetwork& net, const Tensor& positions, const Tensor& normals,
                          const Tensor& images, const SpectralOperators& ops);

// Δv [B, V, 3] on the target for codes z_GE [B, code].
Tensor decode_frames(const NfsNetwork& net, const PreparedTarget& target, const Tensor& z_ge);

}  // namespace nfs
