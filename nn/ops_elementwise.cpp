// Elementwise ops: add, sub, mul with numpy broadcasting; scale and the activations; dropout.
#include <stdexcept>
#include <string>

#include "kernels/activation.h"
#include "kernels/broadcast.h"
#include "kernels/dropout.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

namespace {

// Dimensions padded to 4 with leading 1s, as the broadcast kernels take them.
void pad4(const Shape& s, int64_t out[4]) {
  const int lead = Shape::kMaxDims - s.ndim;
  for (int k = 0; k < Shape::kMaxDims; ++k) out[k] = k < lead ? 1 : s.d[k - lead];
}

// An operand's contiguous strides in the padded 4-D index space, 0 on its size-1 axes (those it
// is broadcast over; a size-1 axis of the output has coordinate 0 anyway).
void broadcast_strides(const Shape& s, int64_t stride[4]) {
  int64_t d[4];
  pad4(s, d);
  int64_t n = 1;
  for (int k = 3; k >= 0; --k) {
    stride[k] = d[k] == 1 ? 0 : n;
    n *= d[k];
  }
}

// numpy rules: align the trailing axes; sizes must match or one of them be 1.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  Shape out;
  out.ndim = a.ndim > b.ndim ? a.ndim : b.ndim;
  for (int k = 0; k < out.ndim; ++k) {
    const int ka = a.ndim - out.ndim + k, kb = b.ndim - out.ndim + k;
    const int64_t da = ka >= 0 ? a.d[ka] : 1, db = kb >= 0 ? b.d[kb] : 1;
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(op) + ": shapes " + a.str() + " and " + b.str() +
                                  " do not broadcast (axis " + std::to_string(k) + ")");
    out.d[k] = da == 1 ? db : da;
  }
  return out;
}

// Adds alpha · (g ⊙ factor) summed over the axes `in` is broadcast over to in's gradient.
// factor (the other operand of mul, read through factor_stride) may be null for 1.
void operand_grad(VarImpl* in, const Tensor& g, const BroadcastShape& s, const float* factor,
                  const int64_t* factor_stride, float alpha) {
  if (!in->requires_grad) return;
  const Shape& shape = in->value.shape();
  if (!factor && alpha == 1.0f && shape == g.shape()) {
    accumulate_grad(in, g);
    return;
  }
  ReduceShape r;
  pad4(shape, r.operand_dims);
  for (int k = 0; k < 4; ++k) {
    r.dims[k] = s.dims[k];
    r.stride_factor[k] = factor ? factor_stride[k] : 0;
  }
  // A leaf's gradient accumulates in place; anything else gets a fresh tensor.
  const bool in_place = !in->grad_fn;
  Tensor target = in_place ? grad_buffer(in) : Tensor::empty(shape, g.device());
  NFS_DISPATCH(
      g.device(), cpu::reduce_to_shape(target.f32(), factor, g.f32(), r, alpha, in_place),
      cuda::reduce_to_shape(target.f32(), factor, g.f32(), r, alpha, in_place, cuda::stream()));
  if (!in_place) accumulate_grad(in, target);
}

Var binary(const Var& a, const Var& b, BinaryOp op, const char* name) {
  const Tensor& A = a.value();
  const Tensor& B = b.value();
  check_same_device(A, B, name);
  const Shape out_shape = broadcast_shape(A.shape(), B.shape(), name);
  BroadcastShape s;
  pad4(out_shape, s.dims);
  broadcast_strides(A.shape(), s.stride_a);
  broadcast_strides(B.shape(), s.stride_b);
  const Device dev = A.device();
  Tensor Y = Tensor::empty(out_shape, dev);
  NFS_DISPATCH(dev, cpu::binary_forward(Y.f32(), A.f32(), B.f32(), s, op),
               cuda::binary_forward(Y.f32(), A.f32(), B.f32(), s, op, cuda::stream()));

  VarImpl* ai = a.impl();
  VarImpl* bi = b.impl();
  return make_result(Y, name, {a, b}, [=](const Tensor& g) {
    if (op == BinaryOp::kMul) {  // d(a·b) = g·b da + g·a db
      operand_grad(ai, g, s, bi->value.f32(), s.stride_b, 1.0f);
      operand_grad(bi, g, s, ai->value.f32(), s.stride_a, 1.0f);
    } else {
      operand_grad(ai, g, s, nullptr, nullptr, 1.0f);
      operand_grad(bi, g, s, nullptr, nullptr, op == BinaryOp::kSub ? -1.0f : 1.0f);
    }
  });
}

Var activation(const Var& x, Activation f, float param, const char* name) {
  const Tensor& X = x.value();
  const Device dev = X.device();
  const int64_t n = X.numel();
  Tensor Y = Tensor::empty(X.shape(), dev);
  NFS_DISPATCH(dev, cpu::activation_forward(Y.f32(), X.f32(), n, f, param),
               cuda::activation_forward(Y.f32(), X.f32(), n, f, param, cuda::stream()));
  VarImpl* xi = x.impl();
  // Y is the output's own storage: keeping it for the backward costs no memory.
  return make_result(Y, name, {x}, [=](const Tensor& g) {
    Tensor dx = Tensor::empty(xi->value.shape(), g.device());
    const float* xp = xi->value.f32();
    NFS_DISPATCH(
        g.device(), cpu::activation_backward(dx.f32(), xp, Y.f32(), g.f32(), n, f, param),
        cuda::activation_backward(dx.f32(), xp, Y.f32(), g.f32(), n, f, param, cuda::stream()));
    accumulate_grad(xi, dx);
  });
}

}  // namespace

Var add(const Var& a, const Var& b) {
  return binary(a, b, BinaryOp::kAdd, "add");
}
Var sub(const Var& a, const Var& b) {
  return binary(a, b, BinaryOp::kSub, "sub");
}
Var mul(const Var& a, const Var& b) {
  return binary(a, b, BinaryOp::kMul, "mul");
}

Var scale(const Var& x, float s) {
  return activation(x, Activation::kScale, s, "scale");
}
Var relu(const Var& x) {
  return activation(x, Activation::kRelu, 0.0f, "relu");
}
Var leaky_relu(const Var& x, float negative_slope) {
  return activation(x, Activation::kLeakyRelu, negative_slope, "leaky_relu");
}
Var tanh(const Var& x) {
  return activation(x, Activation::kTanh, 0.0f, "tanh");
}
Var sigmoid(const Var& x) {
  return activation(x, Activation::kSigmoid, 0.0f, "sigmoid");
}
Var exp(const Var& x) {
  return activation(x, Activation::kExp, 0.0f, "exp");
}

Var dropout(const Var& x, float p, uint64_t seed, bool training) {
  if (!(p >= 0.0f && p <= 1.0f))
    throw std::invalid_argument("dropout: p = " + std::to_string(p) + " is not in [0, 1]");
  if (!training || p == 0.0f) return x;
  const Tensor& X = x.value();
  const Device dev = X.device();
  const int64_t n = X.numel();
  Tensor Y = Tensor::empty(X.shape(), dev);
  NFS_DISPATCH(dev, cpu::dropout_forward(Y.f32(), X.f32(), n, seed, p),
               cuda::dropout_forward(Y.f32(), X.f32(), n, seed, p, cuda::stream()));
  VarImpl* xi = x.impl();
  // The mask is recomputed from (seed, index) in the backward: nothing is saved.
  return make_result(Y, "dropout", {x}, [=](const Tensor& g) {
    Tensor dx = Tensor::empty(xi->value.shape(), g.device());
    NFS_DISPATCH(g.device(), cpu::dropout_backward(dx.f32(), g.f32(), n, seed, p),
                 cuda::dropout_backward(dx.f32(), g.f32(), n, seed, p, cuda::stream()));
    accumulate_grad(xi, dx);
  });
}

}  // namespace nfs
