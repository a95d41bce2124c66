// Reductions: sum and mean of all elements, the mass-weighted mean over vertices, and the
// weights of per-segment means.
#include <stdexcept>
#include <string>

#include "kernels/reduce.h"
#include "kernels/segment_weights.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

namespace {

// out[0] = scale · Σ x.
void run_sum(float* out, const Tensor& x, float scale) {
  NFS_DISPATCH(x.device(), cpu::sum_forward(out, x.f32(), x.numel(), scale),
               cuda::sum_forward(out, x.f32(), x.numel(), scale, cuda::stream()));
}

Var scaled_sum(const Var& x, float scale, const char* name) {
  const Tensor& X = x.value();
  Tensor Y = Tensor::empty(Shape{1}, X.device());
  run_sum(Y.f32(), X, scale);
  VarImpl* xi = x.impl();
  return make_result(Y, name, {x}, [=](const Tensor& g) {
    const int64_t n = xi->value.numel();
    Tensor dx = Tensor::empty(xi->value.shape(), g.device());
    NFS_DISPATCH(g.device(), cpu::sum_backward(dx.f32(), g.f32(), n, scale),
                 cuda::sum_backward(dx.f32(), g.f32(), n, scale, cuda::stream()));
    accumulate_grad(xi, dx);
  });
}

}  // namespace

Var sum(const Var& x) {
  return scaled_sum(x, 1.0f, "sum");
}

Var mean(const Var& x) {
  const int64_t n = x.value().numel();
  if (n == 0) throw std::invalid_argument("mean: empty input " + x.shape().str());
  return scaled_sum(x, static_cast<float>(1.0 / static_cast<double>(n)), "mean");
}

Var vertex_mean(const Var& x, const Tensor& mass) {
  const Tensor& X = x.value();
  if (X.ndim() != 2 && X.ndim() != 3)
    throw std::invalid_argument("vertex_mean: x must be [B, V, C] or [V, C], got " +
                                X.shape().str());
  const bool batched = X.ndim() == 3;
  const int64_t B = batched ? X.size(0) : 1, V = X.size(-2), C = X.size(-1);
  check_shape(mass, Shape{V}, "vertex_mean mass");
  check_same_device(X, mass, "vertex_mean mass");
  if (mass.dtype() != DType::F32) throw std::invalid_argument("vertex_mean: mass must be float32");
  const Device dev = X.device();
  // Σ m stays on the device: the kernels divide by it there, no host round trip.
  Tensor mass_sum = Tensor::empty(Shape{1}, dev);
  run_sum(mass_sum.f32(), mass, 1.0f);
  Tensor Y = Tensor::empty(batched ? Shape{B, C} : Shape{C}, dev);
  NFS_DISPATCH(dev, cpu::vertex_mean_forward(Y.f32(), X.f32(), mass.f32(), mass_sum.f32(), B, V, C),
               cuda::vertex_mean_forward(Y.f32(), X.f32(), mass.f32(), mass_sum.f32(), B, V, C,
                                         cuda::stream()));
  VarImpl* xi = x.impl();
  return make_result(Y, "vertex_mean", {x}, [=](const Tensor& g) {
    Tensor dx = Tensor::empty(xi->value.shape(), g.device());
    NFS_DISPATCH(g.device(),
                 cpu::vertex_mean_backward(dx.f32(), mass.f32(), mass_sum.f32(), g.f32(), B, V, C),
                 cuda::vertex_mean_backward(dx.f32(), mass.f32(), mass_sum.f32(), g.f32(), B, V, C,
                                            cuda::stream()));
    accumulate_grad(xi, dx);
  });
}

Tensor segment_weights(const Tensor& s, const Tensor& mass) {
  if (s.ndim() != 3) throw std::invalid_argument("segment_weights: s must be [B, V, L], got " + s.shape().str());
  const int64_t B = s.size(0), V = s.size(1), L = s.size(2);
  check_shape(mass, Shape{V}, "segment_weights mass");
  check_same_device(s, mass, "segment_weights mass");
  if (s.dtype() != DType::F32 || mass.dtype() != DType::F32)
    throw std::invalid_argument("segment_weights: s and mass must be float32");
  Tensor w = Tensor::empty(s.shape(), s.device());
  NFS_DISPATCH(s.device(), cpu::segment_weights(w.f32(), s.f32(), mass.f32(), B, V, L),
               cuda::segment_weights(w.f32(), s.f32(), mass.f32(), B, V, L, cuda::stream()));
  return w;
}

}  // namespace nfs
