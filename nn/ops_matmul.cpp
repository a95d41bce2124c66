// matmul, linear and reshape: the dense-product ops and the view they rely on.
#include <stdexcept>
#include <string>

#include "kernels/bias.h"
#include "kernels/matmul.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

namespace {

void run_gemm(Device dev, float* c, const float* a, const float* b, const GemmShape& s,
              float beta) {
  NFS_DISPATCH(dev, cpu::gemm(c, a, b, s, 1.0f, beta),
               cuda::gemm(c, a, b, s, 1.0f, beta, cuda::stream()));
}

// Writes a gradient of `in` computed by a GEMM. A leaf's gradient accumulates in place
// (beta = 1); anything else gets a fresh tensor handed to accumulate_grad. When `in` is shared
// across the batch (reduce_batch), the per-batch products are summed one after another.
void gemm_grad(VarImpl* in, const float* a, const float* b, GemmShape s, bool reduce_batch) {
  const Device dev = in->value.device();
  const bool in_place = !in->grad_fn;
  Tensor target = in_place ? grad_buffer(in) : Tensor::empty(in->value.shape(), dev);
  if (!reduce_batch) {
    run_gemm(dev, target.f32(), a, b, s, in_place ? 1.0f : 0.0f);
  } else {
    GemmShape one = s;
    one.batch = 1;
    for (int64_t i = 0; i < s.batch; ++i)
      run_gemm(dev, target.f32(), a + i * s.stride_a, b + i * s.stride_b, one,
               (in_place || i > 0) ? 1.0f : 0.0f);
  }
  if (!in_place) accumulate_grad(in, target);
}

}  // namespace

Var matmul(const Var& a, const Var& b, bool ta, bool tb) {
  const Tensor& A = a.value();
  const Tensor& B = b.value();
  check_same_device(A, B, "matmul");
  if (A.ndim() < 2 || A.ndim() > 3 || B.ndim() < 2 || B.ndim() > 3)
    throw std::invalid_argument("matmul: operands must be 2-D or 3-D, got " + A.shape().str() +
                                " and " + B.shape().str());
  const bool a3 = A.ndim() == 3, b3 = B.ndim() == 3;
  const int64_t M = ta ? A.size(-1) : A.size(-2), Ka = ta ? A.size(-2) : A.size(-1);
  const int64_t Kb = tb ? B.size(-1) : B.size(-2), N = tb ? B.size(-2) : B.size(-1);
  if (Ka != Kb)
    throw std::invalid_argument("matmul: inner dimensions differ: " + A.shape().str() +
                                (ta ? "ᵀ" : "") + " · " + B.shape().str() + (tb ? "ᵀ" : ""));
  if (a3 && b3 && A.size(0) != B.size(0))
    throw std::invalid_argument("matmul: batch sizes differ: " + A.shape().str() + " and " +
                                B.shape().str());
  const int64_t batch = a3 ? A.size(0) : (b3 ? B.size(0) : 1);
  const int64_t K = Ka;
  const Shape out_shape = (a3 || b3) ? Shape{batch, M, N} : Shape{M, N};
  Tensor C = Tensor::empty(out_shape, A.device());
  GemmShape s{batch, M, N, K, ta, tb, a3 ? M * K : 0, b3 ? K * N : 0, M * N};
  run_gemm(A.device(), C.f32(), A.f32(), B.f32(), s, 0.0f);

  VarImpl* ai = a.impl();
  VarImpl* bi = b.impl();
  return make_result(C, "matmul", {a, b}, [=](const Tensor& g) {
    const float* gp = g.f32();
    const float* Ap = ai->value.f32();
    const float* Bp = bi->value.f32();
    if (ai->requires_grad) {
      // d op(A) = g · op(B)ᵀ; stored transposed when trans_a: dA = op(B) · gᵀ.
      GemmShape d = ta ? GemmShape{batch, K, M, N, tb, true, b3 ? K * N : 0, M * N, a3 ? M * K : 0}
                       : GemmShape{batch, M, K, N, false, !tb, M * N, b3 ? K * N : 0, a3 ? M * K : 0};
      const float* x = ta ? Bp : gp;
      const float* y = ta ? gp : Bp;
      gemm_grad(ai, x, y, d, !a3 && batch > 1);
    }
    if (bi->requires_grad) {
      // d op(B) = op(A)ᵀ · g; stored transposed when trans_b: dB = gᵀ · op(A).
      GemmShape d = tb ? GemmShape{batch, N, K, M, true, ta, M * N, a3 ? M * K : 0, b3 ? K * N : 0}
                       : GemmShape{batch, K, N, M, !ta, false, a3 ? M * K : 0, M * N, b3 ? K * N : 0};
      const float* x = tb ? gp : Ap;
      const float* y = tb ? Ap : gp;
      gemm_grad(bi, x, y, d, !b3 && batch > 1);
    }
  });
}

Var linear(const Var& x, const Var& weight, const Var& bias) {
  const Tensor& X = x.value();
  const Tensor& W = weight.value();
  check_same_device(X, W, "linear");
  if (W.ndim() != 2 || X.ndim() < 1 || X.size(-1) != W.size(1))
    throw std::invalid_argument("linear: input " + X.shape().str() + " does not match weight " +
                                W.shape().str() + " ([out, in])");
  const int64_t rows = X.shape().rows(), in = W.size(1), out = W.size(0);
  if (bias.defined()) {
    check_shape(bias.value(), Shape{out}, "linear bias");
    check_same_device(X, bias.value(), "linear bias");
  }
  Shape out_shape = X.shape();
  out_shape.d[out_shape.ndim - 1] = out;
  Tensor Y = Tensor::empty(out_shape, X.device());
  const Device dev = X.device();
  // Y[rows, out] = X[rows, in] · Wᵀ
  run_gemm(dev, Y.f32(), X.f32(), W.f32(), GemmShape{1, rows, out, in, false, true, 0, 0, 0}, 0.0f);
  if (bias.defined())
    NFS_DISPATCH(dev, cpu::bias_add_forward(Y.f32(), bias.value().f32(), rows, out),
                 cuda::bias_add_forward(Y.f32(), bias.value().f32(), rows, out, cuda::stream()));

  VarImpl* xi = x.impl();
  VarImpl* wi = weight.impl();
  VarImpl* bi = bias.defined() ? bias.impl() : nullptr;
  std::vector<Var> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return make_result(Y, "linear", inputs, [=](const Tensor& g) {
    if (xi->requires_grad)  // dX[rows, in] = g[rows, out] · W[out, in]
      gemm_grad(xi, g.f32(), wi->value.f32(), GemmShape{1, rows, in, out, false, false, 0, 0, 0},
                false);
    if (wi->requires_grad)  // dW[out, in] = gᵀ · X
      gemm_grad(wi, g.f32(), xi->value.f32(), GemmShape{1, out, in, rows, true, false, 0, 0, 0},
                false);
    if (bi && bi->requires_grad) {
      Tensor target = grad_target(bi);
      NFS_DISPATCH(g.device(), cpu::bias_backward(target.f32(), g.f32(), rows, out),
                   cuda::bias_backward(target.f32(), g.f32(), rows, out, cuda::stream()));
      finish_grad(bi, target);
    }
  });
}

Var reshape(const Var& x, const Shape& shape) {
  if (shape.numel() != x.value().numel())
    throw std::invalid_argument("reshape: " + x.shape().str() + " to " + shape.str());
  VarImpl* xi = x.impl();
  return make_result(x.value().reshape(shape), "reshape", {x}, [=](const Tensor& g) {
    accumulate_grad(xi, g.reshape(xi->value.shape()));
  });
}

}  // namespace nfs
