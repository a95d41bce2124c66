#include "nn/prepared_target.h"

namespace nfs {

PreparedTarget prepare_target(NfsNetwork& net, const Tensor& positions, const Tensor& normals,
                              const Tensor& image, const SpectralOperators& ops) {
  NoGradGuard no_grad;
  PreparedTarget t;
  t.positions = positions;
  t.normals = normals;
  t.ops = ops;
  Var c = net.image_code(Var(image));
  Var features = net.vertex_features(positions, normals, c);
  Var z_id = net.identity_code(features, ops, 0);
  t.c = c.value();
  t.z_id = z_id.value();
  if (net.config.skinning) {
    Var z_skin = net.skin_weights(features, ops, 0);
    t.z_skin = z_skin.value();
    t.omega = net.skinning_omega(z_skin).value();
  }
  t.target_term = net.decoder_target_term(positions, normals, c, z_id).value();
  return t;
}

Tensor encode_expressions(NfsNetwork& net, const Tensor& positions, const Tensor& normals,
                          const Tensor& images, const SpectralOperators& ops) {
  if (net.config.exp_neutral_offsets || net.config.exp_segment_pool)
    throw std::invalid_argument("encode_expressions: this model reads the source's neutral or segments; use encode_source");
  NoGradGuard no_grad;
  Var c = net.image_code(Var(images));
  return net.expression_code(net.vertex_features(positions, normals, c), ops, 0).value();
}

Tensor decode_frames(const NfsNetwork& net, const PreparedTarget& target, const Tensor& z_ge) {
  NoGradGuard no_grad;
  Var omega = target.omega.defined() ? Var(target.omega) : Var();
  return net.decode(Var(target.target_term), omega, Var(z_ge)).value();
}

}  // namespace nfs
