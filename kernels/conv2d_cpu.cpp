// CPU convolution as im2col + GEMM per batch entry: the unfolded input [Ci·kh·kw, Ho·Wo] turns
// the convolution into one matrix product (Eigen), which is what makes the image encoder
// affordable when training on the CPU (direct loops took three quarters of a training step).
#include <cstddef>
#include <vector>

#include "kernels/conv2d.h"
#include "kernels/matmul.h"

namespace nfs::cpu {

namespace {

// col[(c·kh + i)·kw + j, oh·Wo + ow] = x[c, oh·s - p + i, ow·s - p + j] (0 outside).
void im2col(float* col, const float* x, const Conv2dShape& s) {
  const int64_t HoWo = s.out_h * s.out_w;
  for (int64_t c = 0; c < s.in_channels; ++c)
    for (int64_t i = 0; i < s.kernel_h; ++i)
      for (int64_t j = 0; j < s.kernel_w; ++j) {
        float* row = col + ((c * s.kernel_h + i) * s.kernel_w + j) * HoWo;
        for (int64_t oh = 0; oh < s.out_h; ++oh) {
          const int64_t ih = oh * s.stride - s.padding + i;
          for (int64_t ow = 0; ow < s.out_w; ++ow) {
            const int64_t iw = ow * s.stride - s.padding + j;
            row[oh * s.out_w + ow] =
                (ih >= 0 && ih < s.height && iw >= 0 && iw < s.width) ? x[(c * s.height + ih) * s.width + iw] : 0.0f;
          }
        }
      }
}

// The adjoint of im2col: dx[c, ih, iw] += dcol[...] for every position that read it.
void col2im_add(float* dx, const float* dcol, const Conv2dShape& s) {
  const int64_t HoWo = s.out_h * s.out_w;
  for (int64_t c = 0; c < s.in_channels; ++c)
    for (int64_t i = 0; i < s.kernel_h; ++i)
      for (int64_t j = 0; j < s.kernel_w; ++j) {
        const float* row = dcol + ((c * s.kernel_h + i) * s.kernel_w + j) * HoWo;
        for (int64_t oh = 0; oh < s.out_h; ++oh) {
          const int64_t ih = oh * s.stride - s.padding + i;
          if (ih < 0 || ih >= s.height) continue;
          for (int64_t ow = 0; ow < s.out_w; ++ow) {
            const int64_t iw = ow * s.stride - s.padding + j;
            if (iw >= 0 && iw < s.width) dx[(c * s.height + ih) * s.width + iw] += row[oh * s.out_w + ow];
          }
        }
      }
}

}  // namespace

void conv2d_forward(float* y, const float* x, const float* weight, const float* bias, const Conv2dShape& s) {
  const int64_t K = s.in_channels * s.kernel_h * s.kernel_w, HoWo = s.out_h * s.out_w;
  std::vector<float> col(static_cast<size_t>(K * HoWo));
  for (int64_t b = 0; b < s.batch; ++b) {
    im2col(col.data(), x + b * s.in_channels * s.height * s.width, s);
    float* yb = y + b * s.out_channels * HoWo;
    // y_b [Co, HoWo] = W [Co, K] · col [K, HoWo]
    gemm(yb, weight, col.data(), GemmShape{1, s.out_channels, HoWo, K, false, false, 0, 0, 0}, 1.0f, 0.0f);
    if (bias)
      for (int64_t co = 0; co < s.out_channels; ++co)
        for (int64_t p = 0; p < HoWo; ++p) yb[co * HoWo + p] += bias[co];
  }
}

void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* weight,
                     const Conv2dShape& s) {
  const int64_t K = s.in_channels * s.kernel_h * s.kernel_w, HoWo = s.out_h * s.out_w;
  const int64_t in_size = s.in_channels * s.height * s.width;
  std::vector<float> col(static_cast<size_t>(K * HoWo));
  for (int64_t b = 0; b < s.batch; ++b) {
    const float* dyb = dy + b * s.out_channels * HoWo;
    if (dbias)
      for (int64_t co = 0; co < s.out_channels; ++co) {
        double acc = 0.0;
        for (int64_t p = 0; p < HoWo; ++p) acc += dyb[co * HoWo + p];
        dbias[co] += static_cast<float>(acc);
      }
    if (dweight) {  // dW [Co, K] += dy_b [Co, HoWo] · colᵀ
      im2col(col.data(), x + b * in_size, s);
      gemm(dweight, dyb, col.data(), GemmShape{1, s.out_channels, K, HoWo, false, true, 0, 0, 0}, 1.0f, 1.0f);
    }
    if (dx) {  // dcol [K, HoWo] = Wᵀ · dy_b, folded back
      gemm(col.data(), weight, dyb, GemmShape{1, K, HoWo, s.out_channels, true, false, 0, 0, 0}, 1.0f, 0.0f);
      float* dxb = dx + b * in_size;
      for (int64_t i = 0; i < in_size; ++i) dxb[i] = 0.0f;
      col2im_add(dxb, col.data(), s);
    }
  }
}

}  // namespace nfs::cpu
