#include <cstddef>
#include <vector>

#include "kernels/conv2d.h"

namespace nfs::cpu {

// Plain loops over every (output, kernel tap) pair; taps that fall in the padding are skipped.

void conv2d_forward(float* y, const float* x, const float* weight, const float* bias,
                    const Conv2dShape& s) {
  const int64_t kh = s.kernel_h, kw = s.kernel_w;
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t co = 0; co < s.out_channels; ++co)
      for (int64_t oh = 0; oh < s.out_h; ++oh)
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          double acc = bias ? bias[co] : 0.0;
          for (int64_t ci = 0; ci < s.in_channels; ++ci) {
            const float* xc = x + (b * s.in_channels + ci) * s.height * s.width;
            const float* wc = weight + (co * s.in_channels + ci) * kh * kw;
            for (int64_t i = 0; i < kh; ++i) {
              const int64_t h = oh * s.stride - s.padding + i;
              if (h < 0 || h >= s.height) continue;
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t w = ow * s.stride - s.padding + j;
                if (w < 0 || w >= s.width) continue;
                acc += static_cast<double>(wc[i * kw + j]) * xc[h * s.width + w];
              }
            }
          }
          y[((b * s.out_channels + co) * s.out_h + oh) * s.out_w + ow] = static_cast<float>(acc);
        }
}

void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                     const float* weight, const Conv2dShape& s) {
  const int64_t kh = s.kernel_h, kw = s.kernel_w;
  std::vector<double> gx(dx ? s.batch * s.in_channels * s.height * s.width : 0, 0.0);
  std::vector<double> gw(dweight ? s.out_channels * s.in_channels * kh * kw : 0, 0.0);
  std::vector<double> gb(s.out_channels, 0.0);
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t co = 0; co < s.out_channels; ++co)
      for (int64_t oh = 0; oh < s.out_h; ++oh)
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          const double g = dy[((b * s.out_channels + co) * s.out_h + oh) * s.out_w + ow];
          gb[co] += g;
          for (int64_t ci = 0; ci < s.in_channels; ++ci) {
            const int64_t x0 = (b * s.in_channels + ci) * s.height * s.width;
            const int64_t w0 = (co * s.in_channels + ci) * kh * kw;
            for (int64_t i = 0; i < kh; ++i) {
              const int64_t h = oh * s.stride - s.padding + i;
              if (h < 0 || h >= s.height) continue;
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t w = ow * s.stride - s.padding + j;
                if (w < 0 || w >= s.width) continue;
                if (dx) gx[x0 + h * s.width + w] += g * weight[w0 + i * kw + j];
                if (dweight) gw[w0 + i * kw + j] += g * x[x0 + h * s.width + w];
              }
            }
          }
        }
  for (size_t i = 0; i < gx.size(); ++i) dx[i] = static_cast<float>(gx[i]);
  for (size_t i = 0; i < gw.size(); ++i) dweight[i] += static_cast<float>(gw[i]);
  if (dbias)
    for (int64_t co = 0; co < s.out_channels; ++co) dbias[co] += static_cast<float>(gb[co]);
}

}  // namespace nfs::cpu
