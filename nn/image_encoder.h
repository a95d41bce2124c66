// The image encoder shared by all three mesh encoders (SPEC §2): the 256×256 front render
// [B, 3, 256, 256] -> 8 weight-normalized convolutions (kernel 4, stride 2, padding 1), each
// followed by LeakyReLU(0.2), channels 3→16→16→32→32→64→64→128→128, ending at [B, 128, 1, 1]
// -> Linear(128, 128) -> c [B, 128].
// Parameter names: convs.<i>.weight_v / weight_g / bias, fc.weight / fc.bias.
#pragma once
#include <memory>
#include <vector>

#include "nn/layers.h"

namespace nfs {

class ImageEncoder : public Module {
 public:
  ImageEncoder(int64_t code_dim, ParamInit& init);
  Var forward(const Var& image) const;
  std::vector<std::unique_ptr<Conv2dWN>> convs;
  Linear fc;
  static constexpr int kImageSize = 256;
};

}  // namespace nfs
