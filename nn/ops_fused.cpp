// Fused network ops: one node in the graph, one kernel sequence per direction.
#include <stdexcept>
#include <string>

#include "kernels/spectral_diffusion.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

Var spectral_diffusion(const Var& x, const Var& t, const Tensor& evecs, const Tensor& mass_evecs,
                       const Tensor& evals) {
  const Tensor& X = x.value();
  if (X.ndim() < 2 || X.ndim() > 3 || evecs.ndim() != 2)
    throw std::invalid_argument("spectral_diffusion: x must be [B, V, C] or [V, C], got " + X.shape().str());
  const int64_t B = X.ndim() == 3 ? X.size(0) : 1, V = X.size(-2), C = X.size(-1);
  const int64_t K = evecs.size(1);
  check_shape(evecs, Shape{V, K}, "spectral_diffusion evecs");
  check_shape(mass_evecs, Shape{V, K}, "spectral_diffusion mass_evecs");
  check_shape(evals, Shape{K}, "spectral_diffusion evals");
  check_shape(t.value(), Shape{C}, "spectral_diffusion diffusion time");
  for (const Tensor* o : {&evecs, &mass_evecs, &evals, &t.value()})
    check_same_device(X, *o, "spectral_diffusion");
  const Device dev = X.device();
  const SpectralDims dims{B, V, K, C};
  Tensor out = Tensor::empty(X.shape(), dev);
  Tensor spectral = Tensor::empty({B, K, C}, dev);
  Tensor scratch = Tensor::empty({B, K, C}, dev);
  NFS_DISPATCH(dev,
               cpu::spectral_diffusion_forward(out.f32(), spectral.f32(), scratch.f32(), X.f32(), evecs.f32(),
                                               mass_evecs.f32(), evals.f32(), t.value().f32(), dims),
               cuda::spectral_diffusion_forward(out.f32(), spectral.f32(), scratch.f32(), X.f32(), evecs.f32(),
                                                mass_evecs.f32(), evals.f32(), t.value().f32(), dims,
                                                cuda::stream()));
  VarImpl* xi = x.impl();
  VarImpl* ti = t.impl();
  return make_result(out, "spectral_diffusion", {x, t}, [=](const Tensor& g) {
    Tensor dx = Tensor::empty(xi->value.shape(), dev);
    Tensor work = Tensor::empty({B, K, C}, dev);
    // dt accumulates (a parameter gradient); a scratch target when t needs none.
    Tensor dt = ti->requires_grad ? grad_target(ti) : Tensor::zeros({C}, dev);
    NFS_DISPATCH(dev,
                 cpu::spectral_diffusion_backward(dx.f32(), dt.f32(), work.f32(), g.f32(), spectral.f32(),
                                                  evecs.f32(), mass_evecs.f32(), evals.f32(),
                                                  ti->value.f32(), dims),
                 cuda::spectral_diffusion_backward(dx.f32(), dt.f32(), work.f32(), g.f32(), spectral.f32(),
                                                   evecs.f32(), mass_evecs.f32(), evals.f32(),
                                                   ti->value.f32(), dims, cuda::stream()));
    accumulate_grad(xi, dx);
    if (ti->requires_grad) finish_grad(ti, dt);
  });
}

}  // namespace nfs

#include "kernels/localized_linear.h"

namespace nfs {

Var localized_linear(const Var& target_term, const Var& omega, const Var& z, const Var& weight) {
  const Tensor &T = target_term.value(), &O = omega.value(), &Z = z.value(), &W = weight.value();
  if (T.ndim() != 3 || O.ndim() != 3 || Z.ndim() != 2 || W.ndim() != 2)
    throw std::invalid_argument("localized_linear: expected T [Bt,V,H], omega [Bo,V,Cz], z [B,Cz], W [H,Cz]");
  const int64_t B = Z.size(0), V = T.size(1), H = T.size(2), Cz = Z.size(1);
  if ((T.size(0) != 1 && T.size(0) != B) || (O.size(0) != 1 && O.size(0) != B) || O.size(1) != V ||
      O.size(2) != Cz || W.size(0) != H || W.size(1) != Cz)
    throw std::invalid_argument("localized_linear: shapes do not match: T " + T.shape().str() + ", omega " +
                                O.shape().str() + ", z " + Z.shape().str() + ", W " + W.shape().str());
  for (const Tensor* o : {&O, &Z, &W}) check_same_device(T, *o, "localized_linear");
  const Device dev = T.device();
  const LocalizedDims dims{B, V, H, Cz, T.size(0) == 1, O.size(0) == 1};
  Tensor out = Tensor::empty({B, V, H}, dev);
  Tensor scratch = Tensor::empty({B, H, Cz}, dev);
  NFS_DISPATCH(dev,
               cpu::localized_linear_forward(out.f32(), scratch.f32(), T.f32(), O.f32(), Z.f32(), W.f32(), dims),
               cuda::localized_linear_forward(out.f32(), scratch.f32(), T.f32(), O.f32(), Z.f32(), W.f32(),
                                              dims, cuda::stream()));
  VarImpl *ti = target_term.impl(), *oi = omega.impl(), *zi = z.impl(), *wi = weight.impl();
  return make_result(out, "localized_linear", {target_term, omega, z, weight}, [=](const Tensor& g) {
    Tensor dT = ti->requires_grad ? Tensor::empty(ti->value.shape(), dev) : Tensor();
    Tensor dO = oi->requires_grad ? Tensor::empty(oi->value.shape(), dev) : Tensor();
    Tensor dZ = zi->requires_grad ? Tensor::empty(zi->value.shape(), dev) : Tensor();
    Tensor dW = wi->requires_grad ? grad_target(wi) : Tensor();
    Tensor sw = Tensor::empty({B, H, Cz}, dev), sp = Tensor::empty({B, H, Cz}, dev);
    auto ptr = [](Tensor& t) { return t.defined() ? t.f32() : nullptr; };
    NFS_DISPATCH(dev,
                 cpu::localized_linear_backward(ptr(dT), ptr(dO), ptr(dZ), ptr(dW), sw.f32(), sp.f32(), g.f32(),
                                                oi->value.f32(), zi->value.f32(), wi->value.f32(), dims),
                 cuda::localized_linear_backward(ptr(dT), ptr(dO), ptr(dZ), ptr(dW), sw.f32(), sp.f32(), g.f32(),
                                                 oi->value.f32(), zi->value.f32(), wi->value.f32(), dims,
                                                 cuda::stream()));
    if (dT.defined()) accumulate_grad(ti, dT);
    if (dO.defined()) accumulate_grad(oi, dO);
    if (dZ.defined()) accumulate_grad(zi, dZ);
    if (dW.defined()) finish_grad(wi, dW);
  });
}

}  // namespace nfs
