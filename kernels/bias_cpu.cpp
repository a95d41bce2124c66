#include <vector>

#include "kernels/bias.h"

namespace nfs::cpu {

void bias_add_forward(float* y, const float* bias, int64_t rows, int64_t channels) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) y[r * channels + c] += bias[c];
}

void bias_backward(float* dbias, const float* dy, int64_t rows, int64_t channels) {
  std::vector<double> acc(channels, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) acc[c] += dy[r * channels + c];
  for (int64_t c = 0; c < channels; ++c) dbias[c] += static_cast<float>(acc[c]);
}

}  // namespace nfs::cpu
