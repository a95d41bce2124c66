#include "nn/layers.h"

#include <cmath>
#include <memory>
#include <string>

namespace nfs {

Linear::Linear(int64_t in, int64_t out, bool has_bias, ParamInit& init)
    : in_features(in), out_features(out) {
  weight = register_parameter("weight", init.uniform_fan_in({out, in}, in));
  if (has_bias) bias = register_parameter("bias", init.uniform_fan_in({out}, in));
}

GroupNorm::GroupNorm(int g, int64_t channels, float e) : groups(g), eps(e) {
  weight = register_parameter("weight", Tensor::full({channels}, 1.0f));
  bias = register_parameter("bias", Tensor::zeros({channels}));
}

Conv2dWN::Conv2dWN(int64_t in, int64_t out, int k, int s, int p, ParamInit& init)
    : in_channels(in), out_channels(out), kernel(k), stride(s), padding(p) {
  const int64_t fan_in = in * k * k;
  Tensor v = init.uniform_fan_in({out, in, k, k}, fan_in);
  std::vector<float> vv = v.to_vector(), g(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    double s2 = 0.0;
    for (int64_t i = 0; i < fan_in; ++i) s2 += double(vv[o * fan_in + i]) * vv[o * fan_in + i];
    g[o] = static_cast<float>(std::sqrt(s2));
  }
  weight_v = register_parameter("weight_v", v);
  weight_g = register_parameter("weight_g", Tensor::from_vector({out, 1, 1, 1}, g));
  bias = register_parameter("bias", init.uniform_fan_in({out}, fan_in));
}

Var Conv2dWN::forward(const Var& x) const {
  Var w = weight_norm(weight_v, reshape(weight_g, {out_channels}));
  return conv2d(x, w, bias, stride, padding);
}

LinearStack::LinearStack(const std::vector<int64_t>& sizes, bool bias, float p, ParamInit& init)
    : dropout(p) {
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    layers.push_back(std::make_unique<Linear>(sizes[i], sizes[i + 1], bias, init));
    register_module(std::to_string(i), *layers.back());
  }
}

Var LinearStack::forward(const Var& x, uint64_t seed) const {
  Var h = x;
  for (size_t i = 0; i < layers.size(); ++i) {
    h = layers[i]->forward(h);
    if (i + 1 < layers.size()) {
      h = relu(h);
      if (training() && dropout > 0.0f) h = nfs::dropout(h, dropout, seed * 1000003ull + i, true);
    }
  }
  return h;
}

}  // namespace nfs
