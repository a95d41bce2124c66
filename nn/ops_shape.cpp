// Channel ops along the last axis: concat and slice, both strided block copies.
#include <stdexcept>
#include <string>

#include "kernels/channel_copy.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

namespace {

// Product of all axes but the last (Shape::rows() is 0 when the last axis is empty).
int64_t leading_rows(const Shape& s) {
  int64_t n = 1;
  for (int k = 0; k + 1 < s.ndim; ++k) n *= s.d[k];
  return n;
}

void copy_channels(Device dev, float* dst, const float* src, int64_t rows, int64_t count,
                   int64_t dst_channels, int64_t dst_offset, int64_t src_channels,
                   int64_t src_offset, bool accumulate) {
  NFS_DISPATCH(dev,
               cpu::channel_copy(dst, src, rows, count, dst_channels, dst_offset, src_channels,
                                 src_offset, accumulate),
               cuda::channel_copy(dst, src, rows, count, dst_channels, dst_offset, src_channels,
                                  src_offset, accumulate, cuda::stream()));
}

// Gives `in` ([rows, count] channels) the block [offset, offset + count) of g ([rows, g_channels]).
// A leaf adds it into its gradient buffer; anything else gets a fresh tensor.
void block_grad(VarImpl* in, const Tensor& g, int64_t rows, int64_t count, int64_t g_channels,
                int64_t offset) {
  if (!in->requires_grad) return;
  const bool in_place = !in->grad_fn;
  Tensor target = in_place ? grad_buffer(in) : Tensor::empty(in->value.shape(), g.device());
  copy_channels(g.device(), target.f32(), g.f32(), rows, count, count, 0, g_channels, offset,
                in_place);
  if (!in_place) accumulate_grad(in, target);
}

}  // namespace

Var concat(const std::vector<Var>& xs) {
  if (xs.empty()) throw std::invalid_argument("concat: no inputs");
  const Tensor& first = xs[0].value();
  if (first.ndim() < 1) throw std::invalid_argument("concat: inputs need at least one axis");
  Shape out_shape = first.shape();
  int64_t channels = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& X = xs[i].value();
    check_same_device(first, X, "concat");
    bool same = X.ndim() == first.ndim();
    for (int k = 0; same && k + 1 < X.ndim(); ++k) same = X.shape().d[k] == first.shape().d[k];
    if (!same)
      throw std::invalid_argument("concat: input " + std::to_string(i) + " " + X.shape().str() +
                                  " does not match " + first.shape().str() +
                                  " in all axes but the last");
    channels += X.size(-1);
  }
  out_shape.d[out_shape.ndim - 1] = channels;
  const int64_t rows = leading_rows(first.shape());
  const Device dev = first.device();
  Tensor Y = Tensor::empty(out_shape, dev);
  std::vector<VarImpl*> impls;
  std::vector<int64_t> offsets;
  int64_t offset = 0;
  for (const Var& x : xs) {
    const int64_t c = x.value().size(-1);
    copy_channels(dev, Y.f32(), x.value().f32(), rows, c, channels, offset, c, 0, false);
    impls.push_back(x.impl());
    offsets.push_back(offset);
    offset += c;
  }
  return make_result(Y, "concat", xs, [=](const Tensor& g) {
    for (size_t i = 0; i < impls.size(); ++i)
      block_grad(impls[i], g, rows, impls[i]->value.size(-1), channels, offsets[i]);
  });
}

Var slice(const Var& x, int64_t start, int64_t length) {
  const Tensor& X = x.value();
  if (X.ndim() < 1) throw std::invalid_argument("slice: input needs at least one axis");
  const int64_t channels = X.size(-1);
  if (start < 0 || length < 0 || start + length > channels)
    throw std::invalid_argument("slice: channels [" + std::to_string(start) + ", " +
                                std::to_string(start + length) + ") out of range for " +
                                X.shape().str());
  Shape out_shape = X.shape();
  out_shape.d[out_shape.ndim - 1] = length;
  const int64_t rows = leading_rows(X.shape());
  const Device dev = X.device();
  Tensor Y = Tensor::empty(out_shape, dev);
  copy_channels(dev, Y.f32(), X.f32(), rows, length, length, 0, channels, start, false);
  VarImpl* xi = x.impl();
  return make_result(Y, "slice", {x}, [=](const Tensor& g) {
    // A leaf adds into its gradient's block; anything else gets zeros outside the block.
    const bool in_place = !xi->grad_fn;
    Tensor target = in_place ? grad_buffer(xi) : Tensor::zeros(xi->value.shape(), g.device());
    copy_channels(g.device(), target.f32(), g.f32(), rows, length, channels, start, length, 0,
                  in_place);
    if (!in_place) accumulate_grad(xi, target);
  });
}

}  // namespace nfs
