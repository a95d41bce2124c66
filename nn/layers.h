// Basic layers over nn/ops.h, with PyTorch parameter names and shapes so a checkpoint loads by
// name on either side (docs/CHECKPOINT.md).
#pragma once
#include <memory>
#include <vector>

#include "nn/module.h"
#include "nn/ops.h"

namespace nfs {

// y = x Wᵀ + b over the last axis. weight [out, in], bias [out] (optional).
class Linear : public Module {
 public:
  Linear(int64_t in, int64_t out, bool bias, ParamInit& init);
  Var forward(const Var& x) const { return linear(x, weight, bias); }
  int64_t in_features, out_features;
  Var weight, bias;
};

// GroupNorm over per-vertex features [B, V, C] with statistics per mesh (nn/ops.h group_norm).
// weight (scale) starts at 1, bias (shift) at 0.
class GroupNorm : public Module {
 public:
  GroupNorm(int groups, int64_t channels, float eps = 1e-5f);
  Var forward(const Var& x) const { return group_norm(x, weight, bias, groups, eps); }
  int groups;
  float eps;
  Var weight, bias;
};

// Weight-normalized 2-D convolution: w = g · v / ‖v‖ per output channel. weight_v
// [Co, Ci, k, k], weight_g [Co, 1, 1, 1] (PyTorch's weight_norm layout), bias [Co].
// g starts at ‖v‖ so the initial weight equals v, as torch.nn.utils.weight_norm does.
class Conv2dWN : public Module {
 public:
  Conv2dWN(int64_t in, int64_t out, int kernel, int stride, int padding, ParamInit& init);
  Var forward(const Var& x) const;
  int64_t in_channels, out_channels;
  int kernel, stride, padding;
  Var weight_v, weight_g, bias;
};

// Stack of Linear layers named "0", "1", ... with ReLU between them (none after the last).
// Dropout with probability `dropout` follows each ReLU in training mode.
class LinearStack : public Module {
 public:
  LinearStack(const std::vector<int64_t>& sizes, bool bias, float dropout, ParamInit& init);
  // `seed` makes the dropout masks reproducible (see ForwardContext in nn/diffusion_net.h).
  Var forward(const Var& x, uint64_t seed) const;
  std::vector<std::unique_ptr<Linear>> layers;
  float dropout;
};

}  // namespace nfs
