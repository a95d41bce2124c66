#include "nn/module.h"

#include <cmath>
#include <stdexcept>

namespace nfs {

std::vector<std::pair<std::string, Var>> Module::named_parameters(const std::string& prefix) const {
  std::vector<std::pair<std::string, Var>> out;
  for (const auto& [name, p] : params_) out.emplace_back(prefix + name, p);
  for (const auto& [name, child] : children_) {
    auto sub = child->named_parameters(prefix + name + ".");
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}

void Module::to(Device device) {
  for (auto& [name, p] : params_) {
    if (p.device() == device) continue;
    p.mutable_value() = p.value().to(device);
    p.zero_grad();
  }
  for (auto& [name, child] : children_) child->to(device);
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& [name, p] : named_parameters()) n += p.value().numel();
  return n;
}

Var Module::register_parameter(const std::string& name, Tensor value) {
  for (const auto& [existing, p] : params_)
    if (existing == name) throw std::logic_error("Module: parameter '" + name + "' registered twice");
  params_.emplace_back(name, Var(std::move(value), true));
  return params_.back().second;
}

void Module::register_module(const std::string& name, Module& child) {
  children_.emplace_back(name, &child);
}

Tensor ParamInit::uniform(const Shape& shape, float lo, float hi) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(static_cast<size_t>(shape.numel()));
  for (float& x : v) x = u(rng_);
  return Tensor::from_vector(shape, v);
}

Tensor ParamInit::uniform_fan_in(const Shape& shape, int64_t fan_in) {
  const float bound = fan_in > 0 ? 1.0f / std::sqrt(static_cast<float>(fan_in)) : 0.0f;
  return uniform(shape, -bound, bound);
}

}  // namespace nfs
