// Where an op's backward writes the gradient of an input whose kernel ACCUMULATES (parameter
// gradients: conv weights, norm gains, ...): straight into a leaf's gradient buffer, or into
// zeros that finish_grad then hands to accumulate_grad for an intermediate value.
#pragma once
#include "nn/autograd.h"

namespace nfs {
inline Tensor grad_target(VarImpl* in) {
  return in->grad_fn ? Tensor::zeros(in->value.shape(), in->value.device()) : grad_buffer(in);
}
inline void finish_grad(VarImpl* in, const Tensor& target) {
  if (in->grad_fn) accumulate_grad(in, target);
}
}  // namespace nfs
