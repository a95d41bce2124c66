// Modules: parameters named by their place in the module tree, PyTorch-style
// ("exp_encoder.blocks.0.mlp.0.weight"), which are also the checkpoint's tensor names (SPEC §8).
// A module registers its parameters and children in its constructor; named_parameters() walks
// the tree in registration order. No virtual forward: each module's forward has its own inputs.
#pragma once
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "nn/autograd.h"

namespace nfs {

class Module {
 public:
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  virtual ~Module() = default;

  // Every parameter below this module, names prefixed with `prefix` ("" at the root).
  std::vector<std::pair<std::string, Var>> named_parameters(const std::string& prefix = "") const;
  // Moves every parameter to `device` (gradients are dropped).
  void to(Device device);
  // Training mode switches dropout on; inference mode off. Applies to the whole subtree.
  void train(bool on);
  bool training() const { return training_; }
  int64_t num_parameters() const;

 protected:
  // Returns a handle sharing the registered parameter (Var copies share one value and gradient).
  Var register_parameter(const std::string& name, Tensor value);
  void register_module(const std::string& name, Module& child);

 private:
  std::vector<std::pair<std::string, Var>> params_;
  std::vector<std::pair<std::string, Module*>> children_;
  bool training_ = false;
};

// Deterministic parameter initialization (the model's seed decides every starting value).
class ParamInit {
 public:
  explicit ParamInit(uint64_t seed) : rng_(seed) {}
  // U(-bound, bound) with bound = 1/sqrt(fan_in): PyTorch's default for Linear and Conv.
  Tensor uniform_fan_in(const Shape& shape, int64_t fan_in);
  Tensor uniform(const Shape& shape, float lo, float hi);

 private:
  std::mt19937_64 rng_;
};

}  // namespace nfs
