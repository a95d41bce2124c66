#include <cmath>

#include "kernels/activation.h"

namespace nfs::cpu {

void activation_forward(float* y, const float* x, int64_t n, Activation f, float param) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    switch (f) {
      case Activation::kScale:
        y[i] = param * v;
        break;
      case Activation::kRelu:
        y[i] = v > 0.0f ? v : 0.0f;
        break;
      case Activation::kLeakyRelu:
        y[i] = v > 0.0f ? v : param * v;
        break;
      case Activation::kTanh:
        y[i] = std::tanh(v);
        break;
      case Activation::kSigmoid:
        y[i] = 1.0f / (1.0f + std::exp(-v));
        break;
      case Activation::kExp:
        y[i] = std::exp(v);
        break;
    }
  }
}

void activation_backward(float* dx, const float* x, const float* y, const float* dy, int64_t n,
                         Activation f, float param) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = dy[i];
    switch (f) {
      case Activation::kScale:
        dx[i] = param * g;
        break;
      case Activation::kRelu:
        dx[i] = x[i] > 0.0f ? g : 0.0f;
        break;
      case Activation::kLeakyRelu:
        dx[i] = x[i] > 0.0f ? g : param * g;
        break;
      case Activation::kTanh:
        dx[i] = g * (1.0f - y[i] * y[i]);
        break;
      case Activation::kSigmoid:
        dx[i] = g * y[i] * (1.0f - y[i]);
        break;
      case Activation::kExp:
        dx[i] = g * y[i];
        break;
    }
  }
}

}  // namespace nfs::cpu
