// group_norm and weight_norm: the two normalizations of the network (decoder GroupNorm,
// weight-normalized image-encoder convolutions).
#include <stdexcept>
#include <string>

#include "kernels/group_norm.h"
#include "kernels/weight_norm.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

Var group_norm(const Var& x, const Var& gamma, const Var& beta, int groups, float eps) {
  const Tensor& X = x.value();
  if (X.ndim() != 2 && X.ndim() != 3)
    throw std::invalid_argument("group_norm: x must be [V, C] or [B, V, C], got " +
                                X.shape().str());
  if (!gamma.defined() || !beta.defined())
    throw std::invalid_argument("group_norm: gamma and beta are required");
  const int64_t C = X.size(-1);
  check_shape(gamma.value(), Shape{C}, "group_norm gamma");
  check_shape(beta.value(), Shape{C}, "group_norm beta");
  check_same_device(X, gamma.value(), "group_norm gamma");
  check_same_device(X, beta.value(), "group_norm beta");
  if (groups <= 0 || C % groups != 0)
    throw std::invalid_argument("group_norm: " + std::to_string(C) +
                                " channels do not split into " + std::to_string(groups) +
                                " groups");
  if (!(eps >= 0.0f)) throw std::invalid_argument("group_norm: eps must be >= 0");
  GroupNormShape s;
  s.batch = X.ndim() == 3 ? X.size(0) : 1;
  s.vertices = X.size(-2);
  s.channels = C;
  s.groups = groups;
  if (s.vertices == 0) throw std::invalid_argument("group_norm: x has no vertices");
  // The CUDA reductions index a group with int32 and put the (b, g) pairs on grid.y.
  if (s.group_numel() > (int64_t(1) << 30) || s.group_count() > 65535)
    throw std::invalid_argument("group_norm: " + std::to_string(s.group_count()) + " groups of " +
                                std::to_string(s.group_numel()) +
                                " values exceed the limits (65535 groups of 2^30 values)");

  const Device dev = X.device();
  Tensor Y = Tensor::empty(X.shape(), dev);
  Tensor mean = Tensor::empty({s.batch, s.groups}, dev);
  Tensor rstd = Tensor::empty({s.batch, s.groups}, dev);
  // Scratch for the CUDA reductions; only allocated (once per call) on the GPU.
  auto workspace = [dev, s]() {
    return dev == Device::CUDA ? Tensor::empty({group_norm_workspace_floats(s)}, dev) : Tensor();
  };
  {
    Tensor ws = workspace();
    NFS_DISPATCH(
        dev,
        cpu::group_norm_forward(Y.f32(), mean.f32(), rstd.f32(), X.f32(), gamma.value().f32(),
                                beta.value().f32(), s, eps),
        cuda::group_norm_forward(Y.f32(), mean.f32(), rstd.f32(), X.f32(), gamma.value().f32(),
                                 beta.value().f32(), s, eps, ws.f32(), cuda::stream()));
  }

  VarImpl* xi = x.impl();
  VarImpl* gi = gamma.impl();
  VarImpl* bi = beta.impl();
  return make_result(Y, "group_norm", {x, gamma, beta}, [=](const Tensor& g) {
    Tensor dx = xi->requires_grad ? Tensor::empty(xi->value.shape(), dev) : Tensor();
    Tensor dgamma = gi->requires_grad ? grad_target(gi) : Tensor();
    Tensor dbeta = bi->requires_grad ? grad_target(bi) : Tensor();
    float* dxp = dx.defined() ? dx.f32() : nullptr;
    float* dgp = dgamma.defined() ? dgamma.f32() : nullptr;
    float* dbp = dbeta.defined() ? dbeta.f32() : nullptr;
    Tensor ws = workspace();
    NFS_DISPATCH(
        dev,
        cpu::group_norm_backward(dxp, dgp, dbp, g.f32(), xi->value.f32(), mean.f32(), rstd.f32(),
                                 gi->value.f32(), s),
        cuda::group_norm_backward(dxp, dgp, dbp, g.f32(), xi->value.f32(), mean.f32(), rstd.f32(),
                                  gi->value.f32(), s, ws.f32(), cuda::stream()));
    if (dx.defined()) accumulate_grad(xi, dx);
    if (dgamma.defined()) finish_grad(gi, dgamma);
    if (dbeta.defined()) finish_grad(bi, dbeta);
  });
}

Var weight_norm(const Var& v, const Var& g) {
  const Tensor& Vt = v.value();
  const Tensor& G = g.value();
  check_same_device(Vt, G, "weight_norm");
  if (Vt.ndim() < 1 || Vt.size(0) == 0)
    throw std::invalid_argument("weight_norm: v must have an output-channel axis, got " +
                                Vt.shape().str());
  const int64_t rows = Vt.size(0), cols = Vt.numel() / rows;
  // g is [O] (or PyTorch's [O, 1, ..., 1]).
  if (G.numel() != rows || G.size(0) != rows)
    throw std::invalid_argument("weight_norm: g " + G.shape().str() +
                                " must hold one gain per output channel of v " + Vt.shape().str());
  const Device dev = Vt.device();
  Tensor W = Tensor::empty(Vt.shape(), dev);
  Tensor norm = Tensor::empty({rows}, dev);
  NFS_DISPATCH(dev, cpu::weight_norm_forward(W.f32(), norm.f32(), Vt.f32(), G.f32(), rows, cols),
               cuda::weight_norm_forward(W.f32(), norm.f32(), Vt.f32(), G.f32(), rows, cols,
                                         cuda::stream()));

  VarImpl* vi = v.impl();
  VarImpl* gi = g.impl();
  return make_result(W, "weight_norm", {v, g}, [=](const Tensor& dw) {
    Tensor dv = vi->requires_grad ? grad_target(vi) : Tensor();
    Tensor dg = gi->requires_grad ? grad_target(gi) : Tensor();
    float* dvp = dv.defined() ? dv.f32() : nullptr;
    float* dgp = dg.defined() ? dg.f32() : nullptr;
    NFS_DISPATCH(dev,
                 cpu::weight_norm_backward(dvp, dgp, dw.f32(), norm.f32(), vi->value.f32(),
                                           gi->value.f32(), rows, cols),
                 cuda::weight_norm_backward(dvp, dgp, dw.f32(), norm.f32(), vi->value.f32(),
                                            gi->value.f32(), rows, cols, cuda::stream()));
    if (dv.defined()) finish_grad(vi, dv);
    if (dg.defined()) finish_grad(gi, dg);
  });
}

}  // namespace nfs
