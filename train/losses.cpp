#include "train/losses.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace nfs {

Var mean_squared_distance(const Var& a, const Var& b) {
  // mse averages over every element; a row has C of them.
  return scale(mse_loss(a, b), static_cast<float>(a.shape()[-1]));
}

Var code_loss(const Var& z, const Tensor& target, bool mean_over_dims) {
  const int64_t B = z.shape()[0], D = z.shape()[1], n = target.size(1);
  if (target.size(0) != B || n > D)
    throw std::invalid_argument("code_loss: code " + z.shape().str() + " against target " + target.shape().str());
  // Pad the target with zeros to D dims: the extra dims are pulled to 0.
  Var padded = n == D ? Var(target) : concat({Var(target), Var(Tensor::zeros({B, D - n}, target.device()))});
  return mean_over_dims ? mse_loss(z, padded) : scale(mse_loss(z, padded), static_cast<float>(D));
}

Var code_range_loss(const Var& z) { return hinge01_loss(z); }

namespace {
// (codes [B, E]) · basis [E, V·3] -> [B, V, 3]
Var blend(const Var& codes, const Tensor& basis) {
  const int64_t B = codes.shape()[0], V3 = basis.size(1);
  return reshape(matmul(codes, Var(basis)), {B, V3 / 3, 3});
}
}  // namespace

Var blendshape_projection_loss(const Var& z_exp, const Tensor& w, const Tensor& basis) {
  const int64_t E = basis.size(0);
  if (w.size(1) != E || z_exp.shape()[1] < E)
    throw std::invalid_argument("blendshape_projection_loss: " + std::to_string(E) + " shapes, weights " +
                                w.shape().str() + ", code " + z_exp.shape().str());
  Var predicted = blend(slice(z_exp, 0, E), basis);
  Var truth = blend(Var(w), basis);
  return mean_squared_distance(predicted, truth);
}

Var blendshape_reconstruction_loss(const Var& z_exp, const Tensor& basis, const Var& decoded) {
  const int64_t E = basis.size(0);
  Var blended = blend(slice(z_exp.detach(), 0, E), basis);
  return mean_squared_distance(blended, decoded);
}

Var relative_reconstruction_loss(const Var& z_exp, const Tensor& basis, const Var& decoded, float floor) {
  const int64_t E = basis.size(0), B = z_exp.shape()[0];
  Var blended = blend(slice(z_exp.detach(), 0, E), basis);
  std::vector<float> weights(static_cast<size_t>(B));
  {
    NoGradGuard no_grad;
    const std::vector<float> b = blended.value().to_vector();
    const size_t per = b.size() / size_t(B);
    for (int64_t i = 0; i < B; ++i) {
      double s = 0.0;
      for (size_t j = 0; j < per; ++j) s += double(b[i * per + j]) * b[i * per + j];
      weights[i] = float(1.0 / std::sqrt(s / double(per / 3) + floor));  // 1 / rms size per vertex
    }
  }
  Var w(Tensor::from_vector({B, 1, 1}, weights, z_exp.device()));
  Var scaled_diff = mul(sub(decoded, blended), w);
  return mean_squared_distance(scaled_diff, Var(Tensor::zeros(scaled_diff.shape(), z_exp.device())));
}

Tensor one_hot(const std::vector<int32_t>& labels, int64_t L, Device device) {
  const int64_t V = int64_t(labels.size());
  std::vector<float> h(static_cast<size_t>(V * L), 0.0f);
  for (int64_t v = 0; v < V; ++v) {
    if (labels[v] < 0 || labels[v] >= L)
      throw std::invalid_argument("one_hot: label " + std::to_string(labels[v]) + " outside [0, " + std::to_string(L) + ")");
    h[v * L + labels[v]] = 1.0f;
  }
  return Tensor::from_vector({V, L}, h, device);
}

Var skinning_nll_loss(const Var& z_skin, const Tensor& one_hot_labels) {
  const int64_t B = z_skin.shape()[0], V = z_skin.shape()[1], L = z_skin.shape()[2];
  check_shape(one_hot_labels, Shape{V, L}, "skinning_nll_loss targets");
  if (B == 1) return bce_loss(z_skin, Var(one_hot_labels.reshape({1, V, L})));
  // Several meshes of one topology: the same targets for each.
  Var targets = mul(Var(Tensor::full({B, 1, 1}, 1.0f, z_skin.device())), Var(one_hot_labels.reshape({1, V, L})));
  return bce_loss(z_skin, targets.detach());
}

}  // namespace nfs
