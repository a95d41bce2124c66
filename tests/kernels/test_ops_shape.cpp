// Cases for the channel ops concat and slice; closed-form values and gradients.
#include <vector>

#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(concat) {
  // Three widths, and the first input twice: its gradient adds two blocks.
  OpCase c;
  c.inputs = {random_tensor({2, 3, 2}, 41), random_tensor({2, 3, 4}, 42),
              random_tensor({2, 3, 1}, 43)};
  c.fn = [](const std::vector<Var>& v) { return concat({v[0], v[1], v[2], v[0]}); };
  c.gpu_rtol = 0.0f;
  c.gpu_atol = 0.0f;
  c.gpu_why = "copies, and gradient blocks added in the same order: bit-identical";
  return c;
}

NFS_OP_CASE(slice) {
  // Two overlapping slices of one input: channel 3 gets the gradient of both.
  OpCase c;
  c.inputs = {random_tensor({2, 3, 6}, 44)};
  c.fn = [](const std::vector<Var>& v) { return add(slice(v[0], 1, 3), slice(v[0], 3, 3)); };
  c.gpu_rtol = 0.0f;
  c.gpu_atol = 0.0f;
  c.gpu_why = "copies and one float addition per element in the same order: bit-identical";
  return c;
}

TEST_CASE("concat joins along the last axis", "[op][cpu]") {
  Var a(Tensor::from_vector({2, 1}, {1, 2}), true);
  Var b(Tensor::from_vector({2, 2}, {3, 4, 5, 6}), true);
  Var y = concat({a, b, a});
  CHECK(y.shape() == Shape{2, 4});
  CHECK(y.value().to_vector() == std::vector<float>{1, 3, 4, 1, 2, 5, 6, 2});
  y.backward(Tensor::from_vector({2, 4}, {10, 20, 30, 40, 50, 60, 70, 80}));
  CHECK(a.grad().to_vector() == std::vector<float>{10 + 40, 50 + 80});
  CHECK(b.grad().to_vector() == std::vector<float>{20, 30, 60, 70});

  // Per-vertex features [B, V, C]: a [2, 2, 1] and [2, 2, 2] give [2, 2, 3].
  Var p(Tensor::from_vector({2, 2, 1}, {1, 2, 3, 4}));
  Var q(Tensor::from_vector({2, 2, 2}, {5, 6, 7, 8, 9, 10, 11, 12}));
  CHECK(concat({p, q}).value().to_vector() ==
        std::vector<float>{1, 5, 6, 2, 7, 8, 3, 9, 10, 4, 11, 12});

  CHECK_THROWS_AS(concat({}), std::invalid_argument);
  CHECK_THROWS_AS(concat({a, Var(Tensor::zeros({3, 1}))}), std::invalid_argument);
  CHECK_THROWS_AS(concat({a, Var(Tensor::zeros({1, 2, 1}))}), std::invalid_argument);
}

TEST_CASE("slice takes a block of channels", "[op][cpu]") {
  Var x(Tensor::from_vector({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7}), true);
  Var y = slice(x, 1, 2);
  CHECK(y.shape() == Shape{2, 2});
  CHECK(y.value().to_vector() == std::vector<float>{1, 2, 5, 6});
  y.backward(Tensor::from_vector({2, 2}, {1, 2, 3, 4}));
  CHECK(x.grad().to_vector() == std::vector<float>{0, 1, 2, 0, 0, 3, 4, 0});

  // Through an intermediate value: a fresh zero gradient outside the block.
  Var x2(Tensor::from_vector({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7}), true);
  slice(scale(x2, 2.0f), 3, 1).backward(Tensor::from_vector({2, 1}, {1, 1}));
  CHECK(x2.grad().to_vector() == std::vector<float>{0, 0, 0, 2, 0, 0, 0, 2});

  CHECK_THROWS_AS(slice(x, 3, 2), std::invalid_argument);
  CHECK_THROWS_AS(slice(x, -1, 2), std::invalid_argument);
}
