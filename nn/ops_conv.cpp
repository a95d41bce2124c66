// conv2d: the image encoder's convolution (NCHW, zero padding).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/conv2d.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

namespace {
// The CUDA path unfolds this many floats of input at most at a time (256 MiB).
constexpr int64_t kColBudgetFloats = int64_t(64) << 20;
}  // namespace

Var conv2d(const Var& x, const Var& weight, const Var& bias, int stride, int padding) {
  const Tensor& X = x.value();
  const Tensor& Wt = weight.value();
  check_same_device(X, Wt, "conv2d");
  if (X.ndim() != 4)
    throw std::invalid_argument("conv2d: x must be [B, C, H, W], got " + X.shape().str());
  if (Wt.ndim() != 4 || Wt.size(1) != X.size(1))
    throw std::invalid_argument("conv2d: weight " + Wt.shape().str() +
                                " must be [Co, Ci, kh, kw] with Ci = " + std::to_string(X.size(1)) +
                                " (x " + X.shape().str() + ")");
  if (stride < 1 || padding < 0)
    throw std::invalid_argument("conv2d: stride must be >= 1 and padding >= 0 (got stride " +
                                std::to_string(stride) + ", padding " + std::to_string(padding) +
                                ")");
  Conv2dShape s;
  s.batch = X.size(0);
  s.in_channels = X.size(1);
  s.height = X.size(2);
  s.width = X.size(3);
  s.out_channels = Wt.size(0);
  s.kernel_h = Wt.size(2);
  s.kernel_w = Wt.size(3);
  s.stride = stride;
  s.padding = padding;
  if (s.kernel_h < 1 || s.kernel_w < 1 || s.height + 2 * padding < s.kernel_h ||
      s.width + 2 * padding < s.kernel_w)
    throw std::invalid_argument("conv2d: kernel " + Wt.shape().str() + " does not fit the padded " +
                                "input " + X.shape().str() + " (padding " +
                                std::to_string(padding) + ")");
  s.out_h = (s.height + 2 * padding - s.kernel_h) / stride + 1;
  s.out_w = (s.width + 2 * padding - s.kernel_w) / stride + 1;
  if (bias.defined()) {
    check_shape(bias.value(), Shape{s.out_channels}, "conv2d bias");
    check_same_device(X, bias.value(), "conv2d bias");
  }
  const Device dev = X.device();
  // Batch entries unfolded at a time by the CUDA im2col, and their scratch buffer.
  const int64_t col = std::max<int64_t>(1, conv2d_col_floats(s));
  const int64_t ws_batch =
      std::clamp<int64_t>(kColBudgetFloats / col, 1, std::max<int64_t>(1, s.batch));
  auto workspace = [dev, ws_batch, col]() {
    return dev == Device::CUDA ? Tensor::empty({ws_batch * col}, dev) : Tensor();
  };

  Tensor Y = Tensor::empty({s.batch, s.out_channels, s.out_h, s.out_w}, dev);
  const float* bp = bias.defined() ? bias.value().f32() : nullptr;
  {
    Tensor ws = workspace();
    NFS_DISPATCH(dev, cpu::conv2d_forward(Y.f32(), X.f32(), Wt.f32(), bp, s),
                 cuda::conv2d_forward(Y.f32(), X.f32(), Wt.f32(), bp, s, ws.f32(), ws_batch,
                                      cuda::stream()));
  }

  VarImpl* xi = x.impl();
  VarImpl* wi = weight.impl();
  VarImpl* bi = bias.defined() ? bias.impl() : nullptr;
  std::vector<Var> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return make_result(Y, "conv2d", inputs, [=](const Tensor& g) {
    Tensor dx = xi->requires_grad ? Tensor::empty(xi->value.shape(), dev) : Tensor();
    Tensor dw = wi->requires_grad ? grad_target(wi) : Tensor();
    Tensor db = (bi && bi->requires_grad) ? grad_target(bi) : Tensor();
    float* dxp = dx.defined() ? dx.f32() : nullptr;
    float* dwp = dw.defined() ? dw.f32() : nullptr;
    float* dbp = db.defined() ? db.f32() : nullptr;
    Tensor ws = workspace();
    NFS_DISPATCH(dev,
                 cpu::conv2d_backward(dxp, dwp, dbp, g.f32(), xi->value.f32(), wi->value.f32(), s),
                 cuda::conv2d_backward(dxp, dwp, dbp, g.f32(), xi->value.f32(), wi->value.f32(), s,
                                       ws.f32(), ws_batch, cuda::stream()));
    if (dx.defined()) accumulate_grad(xi, dx);
    if (dw.defined()) finish_grad(wi, dw);
    if (db.defined()) finish_grad(bi, db);
  });
}

}  // namespace nfs
