// Reverse-mode autograd over Tensors.
//
// A Var is a handle to a value, its gradient, and the Node that produced it. Every op records a
// Node (its inputs and a closure that turns the output's gradient into input gradients) when
// gradients are enabled and some input requires them. backward() orders the recorded nodes
// (the tape) topologically from the root and runs them in reverse.
//
// Gradient rules: leaf gradients (parameters) accumulate across backward() calls until
// zero_grad(); gradients of intermediate values are freed once used. detach() is stop-gradient;
// NoGradGuard turns recording off in a scope (inference).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/tensor.h"

namespace nfs {

struct VarImpl;

struct Node {
  const char* op = "";                          // op name, for error messages
  std::vector<std::shared_ptr<VarImpl>> inputs;  // kept alive until the node goes
  // Receives the output's gradient; adds each input's gradient with accumulate_grad().
  std::function<void(const Tensor& grad_out)> backward;
};

struct VarImpl {
  Tensor value;
  Tensor grad;  // undefined until a gradient arrives
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;  // null for leaves
};

class Var {
 public:
  Var() = default;
  explicit Var(Tensor value, bool requires_grad = false);

  bool defined() const { return impl_ != nullptr; }
  const Tensor& value() const { return impl_->value; }
  Tensor& mutable_value() { return impl_->value; }
  const Tensor& grad() const { return impl_->grad; }
  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  const Shape& shape() const { return impl_->value.shape(); }
  Device device() const { return impl_->value.device(); }
  bool is_leaf() const { return !impl_->grad_fn; }
  VarImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<VarImpl>& shared() const { return impl_; }

  // Backpropagates from this one-element value (seed 1) or with an explicit seed gradient.
  void backward() const;
  void backward(const Tensor& seed) const;
  // Same value, no history: gradients stop here.
  Var detach() const;
  void zero_grad();
  void set_requires_grad(bool r) { impl_->requires_grad = r; }

 private:
  std::shared_ptr<VarImpl> impl_;
};

// Recording switch, thread-local.
bool grad_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Adds g into v's gradient (adopting g's storage when v has none yet).
void accumulate_grad(VarImpl* v, const Tensor& g);
// v's gradient buffer, allocated as zeros if missing: for kernels that accumulate in place.
Tensor& grad_buffer(VarImpl* v);

// Where a backward writes the gradient of an input whose kernel ACCUMULATES (parameter
// gradients): straight into a leaf's gradient buffer, or into zeros that finish_grad then hands
// to accumulate_grad for an intermediate value.
inline Tensor grad_target(VarImpl* in) {
  return in->grad_fn ? Tensor::zeros(in->value.shape(), in->value.device()) : grad_buffer(in);
}
inline void finish_grad(VarImpl* in, const Tensor& target) {
  if (in->grad_fn) accumulate_grad(in, target);
}

// Used by ops: wraps `value` as the result of op `name` on `inputs`. Records a node running
// `backward` when recording is on and some input requires a gradient.
Var make_result(Tensor value, const char* name, const std::vector<Var>& inputs,
                std::function<void(const Tensor& grad_out)> backward);

}  // namespace nfs
