#include <catch2/catch.hpp>

#include "nn/ops.h"

using namespace nfs;

namespace {
Var leaf(std::vector<float> v, Shape s) { return Var(Tensor::from_vector(s, v), true); }
}  // namespace

TEST_CASE("leaf gradients accumulate across backward calls until zero_grad", "[autograd]") {
  Var w = leaf({1, 2, 3}, {1, 3});
  Var x(Tensor::from_vector({3, 1}, {4, 5, 6}));
  for (int i = 0; i < 2; ++i) matmul(w, x).backward();  // d(w·x)/dw = xᵀ
  CHECK(w.grad().to_vector() == std::vector<float>{8, 10, 12});
  w.zero_grad();
  matmul(w, x).backward();
  CHECK(w.grad().to_vector() == std::vector<float>{4, 5, 6});
}

TEST_CASE("a value used twice receives both gradient contributions", "[autograd]") {
  // y = w·(w x) for scalar-like shapes: dy/dw = 2 w x
  Var w = leaf({3}, {1, 1});
  Var x(Tensor::from_vector({1, 1}, {2}));
  Var y = matmul(w, matmul(w, x));
  y.backward();
  CHECK(w.grad().item() == Approx(12.0f));
  // The shared pass-through gradient must not alias: a second path into the same leaf.
  Var a = leaf({1, 2}, {1, 2});
  Var s = reshape(a, {2, 1});
  Var t = reshape(a, {2, 1});
  Var ones(Tensor::from_vector({1, 2}, {1, 1}));
  Var z = matmul(ones, s);
  Var z2 = matmul(ones, t);
  z.backward();
  z2.backward();
  CHECK(a.grad().to_vector() == std::vector<float>{2, 2});
}

TEST_CASE("no-grad scope and detach record nothing", "[autograd]") {
  Var w = leaf({1, 2}, {1, 2});
  Var x(Tensor::from_vector({2, 1}, {3, 4}));
  {
    NoGradGuard guard;
    Var y = matmul(w, x);
    CHECK_FALSE(y.requires_grad());
    CHECK(y.is_leaf());
  }
  CHECK(grad_enabled());
  Var y = matmul(w.detach(), x);
  CHECK_FALSE(y.requires_grad());
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("does not require grad"));
  // Stop-gradient in the middle of a chain: only the non-detached path contributes.
  Var v = leaf({2}, {1, 1});
  Var one(Tensor::from_vector({1, 1}, {1}));
  Var u = matmul(v, matmul(v.detach(), one));  // u = v · sg(v): du/dv = sg(v) = 2
  u.backward();
  CHECK(v.grad().item() == Approx(2.0f));
}

TEST_CASE("backward on a non-scalar needs a seed", "[autograd]") {
  Var w = leaf({1, 2, 3, 4}, {2, 2});
  Var y = matmul(w, w);
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("explicit seed"));
  y.backward(Tensor::from_vector({2, 2}, {1, 0, 0, 0}));
  // d(W W)[0,0] / dW = row 0 of W and column 0 of W: [[1+1, 3], [2, 0]]
  CHECK(w.grad().to_vector() == std::vector<float>{2, 3, 2, 0});
}
