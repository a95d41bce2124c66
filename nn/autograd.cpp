#include "nn/autograd.h"

#include <stdexcept>
#include <unordered_set>

namespace nfs {

namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

Var::Var(Tensor value, bool requires_grad) : impl_(std::make_shared<VarImpl>()) {
  impl_->value = std::move(value);
  impl_->requires_grad = requires_grad;
}

Var Var::detach() const { return Var(impl_->value, false); }

void Var::zero_grad() { impl_->grad = Tensor(); }

void accumulate_grad(VarImpl* v, const Tensor& g) {
  if (!v->requires_grad) return;
  if (g.shape() != v->value.shape())
    throw std::logic_error("autograd: gradient of shape " + g.shape().str() + " for value " +
                           v->value.shape().str());
  if (!v->grad.defined()) {
    // Adopt a temporary; copy a gradient that is shared (e.g. passed through by add), since
    // later contributions are added into this storage in place.
    v->grad = g.unique() ? g : g.clone();
  } else {
    v->grad.add_(g);
  }
}

Tensor& grad_buffer(VarImpl* v) {
  if (!v->grad.defined()) v->grad = Tensor::zeros(v->value.shape(), v->value.device());
  return v->grad;
}

Var make_result(Tensor value, const char* name, const std::vector<Var>& inputs,
                std::function<void(const Tensor& grad_out)> backward) {
  Var out(std::move(value), false);
  if (!grad_enabled()) return out;
  bool needs = false;
  for (const Var& in : inputs) needs = needs || in.requires_grad();
  if (!needs) return out;
  auto node = std::make_shared<Node>();
  node->op = name;
  for (const Var& in : inputs)
    if (in.defined()) node->inputs.push_back(in.shared());
  node->backward = std::move(backward);
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
  return out;
}

void Var::backward() const {
  if (impl_->value.numel() != 1)
    throw std::invalid_argument("backward(): value of shape " + shape().str() +
                                " needs an explicit seed gradient");
  backward(Tensor::full(impl_->value.shape(), 1.0f, impl_->value.device()));
}

void Var::backward(const Tensor& seed) const {
  if (!impl_->requires_grad) throw std::logic_error("backward(): value does not require grad");
  // Topological order by iterative depth-first search: a node runs after every node that uses it.
  std::vector<VarImpl*> order;
  std::unordered_set<VarImpl*> seen;
  std::vector<std::pair<VarImpl*, size_t>> stack{{impl_.get(), 0}};
  seen.insert(impl_.get());
  while (!stack.empty()) {
    auto& [v, next] = stack.back();
    const size_t n_inputs = v->grad_fn ? v->grad_fn->inputs.size() : 0;
    if (next < n_inputs) {
      VarImpl* in = v->grad_fn->inputs[next++].get();
      if (in->requires_grad && seen.insert(in).second) stack.push_back({in, 0});
    } else {
      order.push_back(v);
      stack.pop_back();
    }
  }
  accumulate_grad(impl_.get(), seed);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    VarImpl* v = *it;
    if (!v->grad_fn) continue;  // leaf: keeps its accumulated gradient
    if (v->grad.defined()) v->grad_fn->backward(v->grad);
    v->grad = Tensor();  // intermediate gradients are not kept
  }
}

}  // namespace nfs
