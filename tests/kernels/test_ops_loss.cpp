// Cases for the losses: mse, bce (with PyTorch's log clamp) and the [0, 1] hinge of paper eq. 5.
#include <cmath>
#include <vector>

#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(mse_loss) {
  OpCase c;
  c.inputs = {random_tensor({3, 5, 4}, 111), random_tensor({3, 5, 4}, 112)};
  c.fn = [](const std::vector<Var>& v) { return mse_loss(v[0], v[1]); };
  c.gpu_why = "two-pass block reduction vs. a double loop";
  return c;
}

NFS_OP_CASE(bce_loss) {
  // p away from 0 and 1 (where the finite differences of log would need a tiny step).
  OpCase c;
  c.inputs = {random_tensor({4, 6}, 121, 0.1f, 0.9f), random_tensor({4, 6}, 122, 0.0f, 1.0f)};
  c.fn = [](const std::vector<Var>& v) { return bce_loss(v[0], v[1]); };
  c.gpu_why = "two-pass block reduction vs. a double loop; logf vs. log";
  return c;
}

NFS_OP_CASE(hinge01_loss) {
  // Values on both sides and inside [0, 1], at least 0.05 from the kinks at 0 and 1.
  std::vector<float> z = random_tensor({5, 8}, 131, -1.0f, 2.0f).to_vector();
  for (float& v : z) {
    if (std::abs(v) < 0.05f) v = v < 0 ? -0.05f - v : 0.05f + v;
    if (std::abs(v - 1.0f) < 0.05f) v = v < 1.0f ? v - 0.05f : v + 0.05f;
  }
  OpCase c;
  c.inputs = {Tensor::from_vector({5, 8}, z)};
  c.fn = [](const std::vector<Var>& v) { return hinge01_loss(v[0]); };
  c.gpu_why = "two-pass block reduction vs. a double loop";
  return c;
}

TEST_CASE("mse_loss: hand values and gradients", "[op][cpu]") {
  Var p(Tensor::from_vector({3}, {1, 2, 3}), true), t(Tensor::from_vector({3}, {1, 0, 0}), true);
  Var l = mse_loss(p, t);
  CHECK(l.shape() == Shape{1});
  CHECK(l.value().item() == Approx(13.0 / 3.0));
  l.backward();
  const std::vector<float> dp = p.grad().to_vector(), dt = t.grad().to_vector();
  CHECK(dp[0] == 0.0f);
  CHECK(dp[1] == Approx(4.0 / 3.0));  // 2 (p - t) / n
  CHECK(dp[2] == Approx(2.0));
  CHECK(dt[2] == Approx(-2.0));
}

TEST_CASE("bce_loss: hand values, and finite at p = 0 and p = 1", "[op][cpu]") {
  Var p(Tensor::from_vector({2}, {0.5f, 0.9f})), t(Tensor::from_vector({2}, {1, 0}));
  CHECK(bce_loss(p, t).value().item() == Approx(-(std::log(0.5) + std::log(0.1)) / 2));

  // Exact predictions cost nothing; exactly wrong ones cost the clamp, 100.
  Var p01(Tensor::from_vector({4}, {0, 1, 0, 1}), true);
  Var t01(Tensor::from_vector({4}, {0, 1, 1, 0}), true);
  Var l = bce_loss(p01, t01);
  CHECK(l.value().item() == Approx(200.0 / 4));
  l.backward();
  for (float g : p01.grad().to_vector()) CHECK(std::isfinite(g));
  const std::vector<float> dt = t01.grad().to_vector();  // (log(1-p) - log p) / n, clamped
  CHECK(dt[0] == Approx(100.0 / 4));
  CHECK(dt[1] == Approx(-100.0 / 4));

  // Gradient for p inside (0, 1): (p - t) / (p (1 - p)) / n.
  Var q(Tensor::from_vector({1}, {0.25f}), true);
  Var l2 = bce_loss(q, Var(Tensor::from_vector({1}, {1})));
  l2.backward();
  CHECK(q.grad().item() == Approx(-0.75 / (0.25 * 0.75)));
}

TEST_CASE("hinge01_loss: hand values and gradients", "[op][cpu]") {
  Var z(Tensor::from_vector({4}, {-0.5f, 0.3f, 1.5f, 2.0f}), true);
  Var l = hinge01_loss(z);
  CHECK(l.value().item() == Approx((0.5 + 0.0 + 0.5 + 1.0) / 4));
  l.backward();
  CHECK(z.grad().to_vector() == std::vector<float>{-0.25f, 0.0f, 0.25f, 0.25f});
}

TEST_CASE("losses: mismatched shapes are rejected", "[op][cpu]") {
  Var a(Tensor::zeros({2, 3})), b(Tensor::zeros({3, 2}));
  CHECK_THROWS_AS(mse_loss(a, b), std::invalid_argument);
  CHECK_THROWS_AS(bce_loss(a, b), std::invalid_argument);
}

TEST_CASE("losses on CUDA: a million elements and the clamped ends", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  // Many reduction blocks; p includes exact 0 and 1.
  const int64_t n = 1 << 20;
  std::vector<float> p = random_tensor({n}, 141, 0.0f, 1.0f).to_vector();
  p[0] = 0.0f;
  p[1] = 1.0f;
  Tensor P = Tensor::from_vector({n}, p), T = random_tensor({n}, 142, 0.0f, 1.0f);
  Tensor Z = random_tensor({n}, 143, -1.0f, 2.0f);
  auto both = [&](auto op) {
    const float cpu = op(Var(P), Var(T), Var(Z)).value().item();
    const float gpu = op(Var(P.to(Device::CUDA)), Var(T.to(Device::CUDA)), Var(Z.to(Device::CUDA)))
                          .value()
                          .item();
    CHECK(gpu == Approx(cpu).epsilon(1e-5));
  };
  both([](const Var& p, const Var& t, const Var&) { return mse_loss(p, t); });
  both([](const Var& p, const Var& t, const Var&) { return bce_loss(p, t); });
  both([](const Var&, const Var&, const Var& z) { return hinge01_loss(z); });
}
