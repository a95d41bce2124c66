// Cases for conv2d: the encoder's kernel 4 / stride 2 / padding 1 on a non-square image, then a
// non-square kernel without padding.
#include <cmath>
#include <vector>

#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(conv2d) {
  OpCase c;
  c.inputs = {random_tensor({2, 3, 8, 6}, 71),  // x: non-square image
              random_tensor({4, 3, 4, 4}, 72),  // k4 s2 p1 -> [2, 4, 4, 3]
              random_tensor({4}, 73),
              random_tensor({2, 4, 3, 2}, 74),  // non-square kernel, s1 p0 -> [2, 2, 2, 2]
              random_tensor({2}, 75)};
  c.fn = [](const std::vector<Var>& v) {
    Var h = conv2d(v[0], v[1], v[2], /*stride=*/2, /*padding=*/1);
    return conv2d(h, v[3], v[4], /*stride=*/1, /*padding=*/0);
  };
  c.gpu_why = "cuBLAS GEMM over im2col sums the taps in another order than the direct loop";
  return c;
}

TEST_CASE("conv2d: a difference kernel on a 3x3 image, by hand", "[op][cpu]") {
  // w = [[1, 0], [0, -1]]: y[oh, ow] = x[2oh - 1, 2ow - 1] - x[2oh, 2ow] (stride 2, padding 1).
  Var x(Tensor::from_vector({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Var w(Tensor::from_vector({1, 1, 2, 2}, {1, 0, 0, -1}));
  Var b(Tensor::from_vector({1}, {0.5f}));
  Var y = conv2d(x, w, b, 2, 1);
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  CHECK(y.value().to_vector() == std::vector<float>{-0.5f, -2.5f, -6.5f, -3.5f});
  // Stride 1, no padding, no bias: every output is x[i, j] - x[i+1, j+1] = -4.
  CHECK(conv2d(x, w, Var(), 1, 0).value().to_vector() == std::vector<float>(4, -4.0f));
}

TEST_CASE("conv2d: a ones kernel counts the taps inside the image", "[op][cpu]") {
  // Kernel 4, stride 2, padding 1 on a 6x6 image of ones with 2 channels: a corner window holds
  // 3x3 pixels, an edge window 3x4, the center 4x4; times 2 channels; then two output channels.
  Var x(Tensor::full({1, 2, 6, 6}, 1.0f));
  Var w(Tensor::full({2, 2, 4, 4}, 1.0f));
  std::vector<float> y = conv2d(x, w, Var(), 2, 1).value().to_vector();
  const std::vector<float> plane{18, 24, 18, 24, 32, 24, 18, 24, 18};
  REQUIRE(y.size() == 18);
  for (int co = 0; co < 2; ++co)
    for (int i = 0; i < 9; ++i) CHECK(y[co * 9 + i] == plane[i]);
}

TEST_CASE("conv2d: the encoder's 8 layers take 256x256 to 1x1", "[op][cpu]") {
  const int channels[9] = {3, 16, 16, 32, 32, 64, 64, 128, 128};
  Var h(random_tensor({1, 3, 256, 256}, 81));
  NoGradGuard no_grad;
  for (int l = 0; l < 8; ++l)
    h = conv2d(h, Var(random_tensor({channels[l + 1], channels[l], 4, 4}, 82 + l, -0.1f, 0.1f)),
               Var(Tensor::zeros({channels[l + 1]})), 2, 1);
  CHECK(h.shape() == Shape{1, 128, 1, 1});
}

TEST_CASE("conv2d: bad shapes are rejected", "[op][cpu]") {
  Var x(Tensor::zeros({1, 3, 8, 8}));
  CHECK_THROWS_AS(conv2d(x, Var(Tensor::zeros({4, 2, 3, 3})), Var(), 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(conv2d(x, Var(Tensor::zeros({4, 3, 3, 3})), Var(Tensor::zeros({3})), 1, 0),
                  std::invalid_argument);
  CHECK_THROWS_AS(conv2d(x, Var(Tensor::zeros({4, 3, 3, 3})), Var(), 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(conv2d(x, Var(Tensor::zeros({4, 3, 9, 9})), Var(), 1, 0), std::invalid_argument);
}

TEST_CASE("conv2d: the encoder's 8 layers on CUDA match the CPU, forward and backward",
          "[op][gpu]") {
  NFS_REQUIRE_GPU();
  const int channels[9] = {3, 16, 16, 32, 32, 64, 64, 128, 128};
  Tensor x = random_tensor({2, 3, 256, 256}, 91);
  std::vector<Tensor> ws, bs;
  for (int l = 0; l < 8; ++l) {
    const float k = 1.0f / std::sqrt(channels[l] * 16.0f);  // keeps activations O(1)
    ws.push_back(random_tensor({channels[l + 1], channels[l], 4, 4}, 92 + l, -2 * k, 2 * k));
    bs.push_back(random_tensor({channels[l + 1]}, 102 + l, -0.1f, 0.1f));
  }
  std::vector<std::vector<float>> results[2];
  for (int d = 0; d < 2; ++d) {
    const Device dev = d == 0 ? Device::CPU : Device::CUDA;
    Var h(x.to(dev).clone(), true);
    Var in = h;
    std::vector<Var> wv, bv;
    for (int l = 0; l < 8; ++l) {
      wv.emplace_back(ws[l].to(dev).clone(), true);
      bv.emplace_back(bs[l].to(dev).clone(), true);
      h = conv2d(h, wv[l], bv[l], 2, 1);
    }
    h.backward(Tensor::full(h.shape(), 1.0f, dev));
    results[d] = {h.value().to_vector(), in.grad().to_vector(), wv[0].grad().to_vector(),
                  wv[7].grad().to_vector(), bv[0].grad().to_vector()};
  }
  const char* names[] = {"output", "dx", "dweight layer 0", "dweight layer 7", "dbias layer 0"};
  for (int k = 0; k < 5; ++k) {
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < results[0][k].size(); ++i) {
      diff = std::max(diff, (double)std::abs(results[0][k][i] - results[1][k][i]));
      scale = std::max(scale, (double)std::abs(results[0][k][i]));
    }
    INFO(names[k] << ": max diff " << diff << ", max value " << scale);
    CHECK(diff <= 1e-4 * scale + 1e-6);
  }
}
