// The training losses: means over all elements, returned as shape [1].
#include <stdexcept>
#include <string>

#include "kernels/loss.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

namespace {
void check_pair(const Tensor& a, const Tensor& b, const char* what) {
  check_same_device(a, b, what);
  if (a.shape() != b.shape())
    throw std::invalid_argument(std::string(what) + ": shapes differ: " + a.shape().str() +
                                " and " + b.shape().str());
  if (a.numel() == 0) throw std::invalid_argument(std::string(what) + ": empty input");
}
// Scratch for the two-pass CUDA reduction (none on the CPU).
Tensor loss_workspace(Device dev) {
  return dev == Device::CUDA ? Tensor::empty({kLossPartials}, dev) : Tensor();
}
Tensor grad_or_none(VarImpl* v) {
  return v->requires_grad ? Tensor::empty(v->value.shape(), v->value.device()) : Tensor();
}
float* ptr(Tensor& t) {
  return t.defined() ? t.f32() : nullptr;
}
}  // namespace

Var mse_loss(const Var& prediction, const Var& target) {
  const Tensor& P = prediction.value();
  const Tensor& T = target.value();
  check_pair(P, T, "mse_loss");
  const Device dev = P.device();
  const int64_t n = P.numel();
  Tensor out = Tensor::empty({1}, dev);
  {
    Tensor ws = loss_workspace(dev);
    NFS_DISPATCH(dev, cpu::mse_forward(out.f32(), P.f32(), T.f32(), n),
                 cuda::mse_forward(out.f32(), P.f32(), T.f32(), n, ws.f32(), cuda::stream()));
  }
  VarImpl* pi = prediction.impl();
  VarImpl* ti = target.impl();
  return make_result(out, "mse_loss", {prediction, target}, [=](const Tensor& g) {
    Tensor dp = grad_or_none(pi), dt = grad_or_none(ti);
    NFS_DISPATCH(dev,
                 cpu::mse_backward(ptr(dp), ptr(dt), g.f32(), pi->value.f32(), ti->value.f32(), n),
                 cuda::mse_backward(ptr(dp), ptr(dt), g.f32(), pi->value.f32(), ti->value.f32(), n,
                                    cuda::stream()));
    if (dp.defined()) accumulate_grad(pi, dp);
    if (dt.defined()) accumulate_grad(ti, dt);
  });
}

Var bce_loss(const Var& p, const Var& target) {
  const Tensor& P = p.value();
  const Tensor& T = target.value();
  check_pair(P, T, "bce_loss");
  const Device dev = P.device();
  const int64_t n = P.numel();
  Tensor out = Tensor::empty({1}, dev);
  {
    Tensor ws = loss_workspace(dev);
    NFS_DISPATCH(dev, cpu::bce_forward(out.f32(), P.f32(), T.f32(), n),
                 cuda::bce_forward(out.f32(), P.f32(), T.f32(), n, ws.f32(), cuda::stream()));
  }
  VarImpl* pi = p.impl();
  VarImpl* ti = target.impl();
  return make_result(out, "bce_loss", {p, target}, [=](const Tensor& g) {
    Tensor dp = grad_or_none(pi), dt = grad_or_none(ti);
    NFS_DISPATCH(dev,
                 cpu::bce_backward(ptr(dp), ptr(dt), g.f32(), pi->value.f32(), ti->value.f32(), n),
                 cuda::bce_backward(ptr(dp), ptr(dt), g.f32(), pi->value.f32(), ti->value.f32(), n,
                                    cuda::stream()));
    if (dp.defined()) accumulate_grad(pi, dp);
    if (dt.defined()) accumulate_grad(ti, dt);
  });
}

Var hinge01_loss(const Var& z) {
  const Tensor& Z = z.value();
  if (Z.numel() == 0) throw std::invalid_argument("hinge01_loss: empty input");
  const Device dev = Z.device();
  const int64_t n = Z.numel();
  Tensor out = Tensor::empty({1}, dev);
  {
    Tensor ws = loss_workspace(dev);
    NFS_DISPATCH(dev, cpu::hinge01_forward(out.f32(), Z.f32(), n),
                 cuda::hinge01_forward(out.f32(), Z.f32(), n, ws.f32(), cuda::stream()));
  }
  VarImpl* zi = z.impl();
  return make_result(out, "hinge01_loss", {z}, [=](const Tensor& g) {
    Tensor dz = Tensor::empty(zi->value.shape(), dev);
    NFS_DISPATCH(dev, cpu::hinge01_backward(dz.f32(), g.f32(), zi->value.f32(), n),
                 cuda::hinge01_backward(dz.f32(), g.f32(), zi->value.f32(), n, cuda::stream()));
    accumulate_grad(zi, dz);
  });
}

}  // namespace nfs
