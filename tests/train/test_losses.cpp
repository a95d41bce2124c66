// The training losses: closed-form values, finite-difference gradients, the stop-gradient of L_BR.
#include <catch2/catch.hpp>
#include <cmath>

#include "kernels/op_case.h"
#include "train/losses.h"

using namespace nfs;
using nfs::test::random_tensor;

namespace {
// Central differences of a scalar loss against every element of a few inputs.
void check_gradients(const std::function<Var()>& loss, std::vector<Var> inputs) {
  Var l = loss();
  l.backward();
  NoGradGuard no_grad;
  for (Var& in : inputs) {
    std::vector<float> g = in.grad().to_vector();
    float* x = in.mutable_value().f32();
    for (int64_t j = 0; j < in.value().numel(); ++j) {
      const float x0 = x[j], eps = 1e-3f;
      x[j] = x0 + eps;
      const double lp = loss().value().item();
      x[j] = x0 - eps;
      const double lm = loss().value().item();
      x[j] = x0;
      const double numeric = (lp - lm) / (2 * eps);
      INFO("element " << j << ": analytic " << g[j] << " numeric " << numeric);
      CHECK(std::abs(numeric - g[j]) <= 2e-3 + 2e-2 * std::abs(numeric));
    }
  }
}
}  // namespace

TEST_CASE("decoder losses are mean squared distances per vertex", "[losses]") {
  Var a(Tensor::from_vector({1, 2, 3}, {1, 2, 3, 0, 0, 0}), true);
  Var b(Tensor::zeros({1, 2, 3}));
  CHECK(mean_squared_distance(a, b).value().item() == Approx((1 + 4 + 9) / 2.0));
  check_gradients([&] { return mean_squared_distance(a, b); }, {a});
}

TEST_CASE("code loss: weights on the first dims, zeros on the rest", "[losses]") {
  Var z(Tensor::from_vector({2, 3}, {1, 0, 2, 0, 1, 0}), true);
  Tensor target = Tensor::from_vector({2, 2}, {1, 1, 0, 0});
  // batch 0: (0)² + (-1)² + 2² = 5; batch 1: 0 + 1 + 0 = 1; mean over batch = 3
  CHECK(code_loss(z, target).value().item() == Approx(3.0));
  check_gradients([&] { return code_loss(z, target); }, {z});
}

TEST_CASE("code range loss is the hinge outside [0, 1]", "[losses]") {
  Var z(Tensor::from_vector({1, 4}, {-0.5f, 0.3f, 1.25f, 0.9f}), true);
  CHECK(code_range_loss(z).value().item() == Approx((0.5 + 0.25) / 4));
  check_gradients([&] { return code_range_loss(z); }, {z});
}

TEST_CASE("blendshape projection and reconstruction losses", "[losses]") {
  // Two shapes on two vertices: shape 0 moves vertex 0 by +x, shape 1 moves vertex 1 by +y.
  Tensor basis = Tensor::from_vector({2, 6}, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0});
  Var z(Tensor::from_vector({1, 3}, {0.5f, 0.25f, 7.0f}), true);
  Tensor w = Tensor::from_vector({1, 2}, {1.0f, 0.0f});
  // projection: vertex 0 off by 0.5 in x, vertex 1 off by 0.25 in y -> (0.25 + 0.0625) / 2
  CHECK(blendshape_projection_loss(z, w, basis).value().item() == Approx(0.15625));
  check_gradients([&] { return blendshape_projection_loss(z, w, basis); }, {z});

  Var decoded(Tensor::from_vector({1, 2, 3}, {0, 0, 0, 0, 0, 1}), true);
  // reconstruction: vertex 0: 0.5²; vertex 1: 0.25² + 1² -> (0.25 + 1.0625) / 2
  z.zero_grad();
  Var br = blendshape_reconstruction_loss(z, basis, decoded);
  CHECK(br.value().item() == Approx(0.65625));
  br.backward();
  CHECK_FALSE(z.grad().defined());  // stop-gradient into the expression encoder
  REQUIRE(decoded.grad().defined());
  decoded.zero_grad();
  check_gradients([&] { return blendshape_reconstruction_loss(z, basis, decoded); }, {decoded});
}

TEST_CASE("skinning NLL is the BCE against one-hot labels", "[losses]") {
  Var z(random_tensor({1, 3, 2}, 5, 0.1f, 0.9f), true);
  Tensor targets = one_hot({0, 1, 1}, 2, Device::CPU);
  std::vector<float> p = z.value().to_vector();
  const double expected = -(std::log(p[0]) + std::log(1 - p[1]) + std::log(1 - p[2]) + std::log(p[3]) +
                            std::log(1 - p[4]) + std::log(p[5])) / 6;
  CHECK(skinning_nll_loss(z, targets).value().item() == Approx(expected));
  check_gradients([&] { return skinning_nll_loss(z, targets); }, {z});
  CHECK_THROWS_WITH(one_hot({0, 2}, 2, Device::CPU), Catch::Contains("outside [0, 2)"));
}

TEST_CASE("the relative L_BW divides each sample's error by its displacement's size plus a floor", "[losses]") {
  // Two samples, 2 vertices, one shape: sample 0 at weight 1 (blended size per vertex: (1 + 4) / 2),
  // sample 1 at weight 0 (size 0: only the floor remains).
  Tensor basis = Tensor::from_vector({1, 6}, {1, 0, 0, 0, 2, 0});
  Var z(Tensor::from_vector({2, 1}, {1, 0}), true);
  Var decoded(Tensor::from_vector({2, 2, 3}, {0, 0, 0, 0, 2, 1, 0.5f, 0, 0, 0, 0, 0}), true);
  const float floor = 0.5f;
  // errors per vertex: sample 0: 1, 1 -> mean 1; sample 1: 0.25, 0 -> mean 0.125
  const double expected = 0.5 * (1.0 / (2.5 + floor) + 0.125 / (0.0 + floor));
  Var l = relative_reconstruction_loss(z, basis, decoded, floor);
  CHECK(l.value().item() == Approx(expected));
  l.backward();
  CHECK_FALSE(z.grad().defined());  // the code is detached, as in L_BR
  decoded.zero_grad();
  check_gradients([&] { return relative_reconstruction_loss(z, basis, decoded, floor); }, {decoded});
}
