#include "nn/image_encoder.h"

#include <stdexcept>
#include <string>

namespace nfs {

namespace {
constexpr int64_t kChannels[9] = {3, 16, 16, 32, 32, 64, 64, 128, 128};
}

ImageEncoder::ImageEncoder(int64_t code_dim, ParamInit& init) : fc(128, code_dim, true, init) {
  for (int i = 0; i < 8; ++i) {
    convs.push_back(std::make_unique<Conv2dWN>(kChannels[i], kChannels[i + 1], 4, 2, 1, init));
    register_module("convs." + std::to_string(i), *convs.back());
  }
  register_module("fc", fc);
}

Var ImageEncoder::forward(const Var& image) const {
  const Shape& s = image.shape();
  if (s.ndim != 4 || s[1] != 3 || s[2] != kImageSize || s[3] != kImageSize)
    throw std::invalid_argument("ImageEncoder: expected [B, 3, 256, 256], got " + s.str());
  Var h = image;
  for (const auto& conv : convs) h = leaky_relu(conv->forward(h), 0.2f);
  return fc.forward(reshape(h, {s[0], 128}));
}

}  // namespace nfs
