#include "nn/diffusion_net.h"

#include <stdexcept>
#include <string>

namespace nfs {

SpectralOperators SpectralOperators::to(Device device) const {
  return {mass.to(device),       evals.to(device),  evecs.to(device),
          mass_evecs.to(device), grad_x.to(device), grad_y.to(device)};
}

SpectralOperators SpectralOperators::make(Tensor mass, Tensor evals, Tensor evecs, CsrMatrix grad_x,
                                          CsrMatrix grad_y) {
  const int64_t V = mass.numel();
  check_shape(evecs, Shape{V, evals.numel()}, "SpectralOperators evecs");
  NoGradGuard no_grad;
  Tensor mass_evecs = mul(Var(evecs), Var(mass.reshape({V, 1}))).value();
  return {std::move(mass), std::move(evals), std::move(evecs), std::move(mass_evecs),
          std::move(grad_x), std::move(grad_y)};
}

GradientFeatures::GradientFeatures(int64_t width, ParamInit& init)
    : A_re(width, width, false, init), A_im(width, width, false, init) {
  register_module("A_re", A_re);
  register_module("A_im", A_im);
}

Var GradientFeatures::forward(const Var& gx, const Var& gy) const {
  // Complex-linear map of the gradient (gx + i gy), then the per-channel dot with the original.
  Var b_re = sub(A_re.forward(gx), A_im.forward(gy));
  Var b_im = add(A_re.forward(gy), A_im.forward(gx));
  return tanh(add(mul(gx, b_re), mul(gy, b_im)));
}

DiffusionBlock::DiffusionBlock(int64_t width, float dropout, ParamInit& init)
    : grad_features(width, init), mlp({3 * width, width, width, width}, true, dropout, init) {
  diffusion_time = register_parameter("diffusion_time", Tensor::zeros({width}));
  register_module("grad_features", grad_features);
  register_module("mlp", mlp);
}

namespace {
void check_vertices(const Var& x, const SpectralOperators& ops) {
  if (x.shape()[-2] != ops.num_vertices())
    throw std::invalid_argument("DiffusionNet: features have " + std::to_string(x.shape()[-2]) +
                                " vertices, the operators " + std::to_string(ops.num_vertices()));
}
// The reference clamps the parameter itself (not a differentiable op) before each use.
void clamp_time(Var& t) {
  NoGradGuard no_grad;
  t.mutable_value().clamp_min_(1e-8f);
}
}  // namespace

Var DiffusionBlock::diffuse(const Var& x, const SpectralOperators& ops) {
  check_vertices(x, ops);
  clamp_time(diffusion_time);
  return spectral_diffusion(x, diffusion_time, ops.evecs, ops.mass_evecs, ops.evals);
}

Var DiffusionBlock::diffuse_reference(const Var& x, const SpectralOperators& ops) {
  check_vertices(x, ops);
  clamp_time(diffusion_time);
  const int64_t V = ops.num_vertices(), K = ops.num_eigenpairs(), W = diffusion_time.shape()[0];
  Var mass(ops.mass.reshape({V, 1}));
  Var neg_evals = scale(Var(ops.evals.reshape({K, 1})), -1.0f);
  Var evecs(ops.evecs);
  Var spectral = matmul(evecs, mul(x, mass), /*trans_a=*/true);         // [B, K, W]
  Var coefs = exp(mul(neg_evals, reshape(diffusion_time, {1, W})));  // [K, W]
  return matmul(evecs, mul(spectral, coefs));                         // [B, V, W]
}

Var DiffusionBlock::forward(const Var& x, const SpectralOperators& ops, uint64_t seed) {
  Var xd = diffuse(x, ops);
  Var gx = spmm(ops.grad_x, xd);
  Var gy = spmm(ops.grad_y, xd);
  Var features = grad_features.forward(gx, gy);
  return add(x, mlp.forward(concat({x, xd, features}), seed));
}

DiffusionNet::DiffusionNet(int64_t c_in, int64_t c_out, int64_t width, int num_blocks,
                           float dropout, ParamInit& init)
    : first_lin(c_in, width, true, init), last_lin(width, c_out, true, init) {
  register_module("first_lin", first_lin);
  for (int i = 0; i < num_blocks; ++i) {
    blocks.push_back(std::make_unique<DiffusionBlock>(width, dropout, init));
    register_module("blocks." + std::to_string(i), *blocks.back());
  }
  register_module("last_lin", last_lin);
}

Var DiffusionNet::forward(const Var& x, const SpectralOperators& ops, uint64_t seed) {
  if (x.shape()[-1] != first_lin.in_features)
    throw std::invalid_argument("DiffusionNet: input has " + std::to_string(x.shape()[-1]) +
                                " channels, expected " + std::to_string(first_lin.in_features));
  Var h = first_lin.forward(x);
  for (size_t i = 0; i < blocks.size(); ++i) h = blocks[i]->forward(h, ops, seed * 131u + i);
  return last_lin.forward(h);
}

}  // namespace nfs
