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
    // dt accumulates in place for a leaf; otherwise into a fresh zero tensor.
    const bool t_in_place = ti->requires_grad && !ti->grad_fn;
    Tensor dt = t_in_place ? grad_buffer(ti) : Tensor::zeros({C}, dev);
    NFS_DISPATCH(dev,
                 cpu::spectral_diffusion_backward(dx.f32(), dt.f32(), work.f32(), g.f32(), spectral.f32(),
                                                  evecs.f32(), mass_evecs.f32(), evals.f32(),
                                                  ti->value.f32(), dims),
                 cuda::spectral_diffusion_backward(dx.f32(), dt.f32(), work.f32(), g.f32(), spectral.f32(),
                                                   evecs.f32(), mass_evecs.f32(), evals.f32(),
                                                   ti->value.f32(), dims, cuda::stream()));
    accumulate_grad(xi, dx);
    if (ti->requires_grad && !t_in_place) accumulate_grad(ti, dt);
  });
}

}  // namespace nfs
