// Cases for the normalizations: group_norm (statistics per mesh and group over all vertices) and
// weight_norm (rows of norm g).
#include <cmath>
#include <vector>

#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(group_norm) {
  // Two meshes, 5 vertices, 12 channels in 3 groups of 4; an offset and scale per input so the
  // statistics are not trivially 0 / 1.
  OpCase c;
  std::vector<float> x = random_tensor({2, 5, 12}, 11, -1.0f, 1.0f).to_vector();
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.5f + 2.0f * x[i];
  c.inputs = {Tensor::from_vector({2, 5, 12}, x), random_tensor({12}, 12, 0.5f, 1.5f),
              random_tensor({12}, 13)};
  c.fn = [](const std::vector<Var>& v) { return group_norm(v[0], v[1], v[2], 3); };
  c.gpu_rtol = 1e-4f;
  c.gpu_atol = 1e-5f;
  c.gpu_why = "chunked block reductions in double vs. a double loop; FP32 elementwise";
  return c;
}

namespace {
// Mean and biased variance of group g of mesh b of y [B, V, C].
void group_moments(const std::vector<float>& y, int64_t V, int64_t C, int64_t G, int64_t b,
                   int64_t g, double& mean, double& var) {
  const int64_t cg = C / G;
  double s = 0.0, s2 = 0.0;
  for (int64_t v = 0; v < V; ++v)
    for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
      const double e = y[(b * V + v) * C + c];
      s += e;
      s2 += e * e;
    }
  const double n = static_cast<double>(V * cg);
  mean = s / n;
  var = s2 / n - mean * mean;
}
}  // namespace

TEST_CASE("group_norm: each mesh and group has mean beta and std gamma over all vertices",
          "[op][cpu]") {
  const int64_t B = 2, V = 40, C = 12;
  std::vector<float> x = random_tensor({B, V, C}, 21).to_vector();
  for (size_t i = 0; i < x.size(); ++i)  // a different offset and scale per channel and mesh
    x[i] = 3.0f + (1.0f + (i % C)) * x[i] + 5.0f * static_cast<float>(i / (V * C));
  Var X(Tensor::from_vector({B, V, C}, x));
  for (int G : {1, 3, 4, 12}) {
    Var gamma(Tensor::full({C}, 2.0f)), beta(Tensor::full({C}, -1.0f));
    std::vector<float> y = group_norm(X, gamma, beta, G, 0.0f).value().to_vector();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t g = 0; g < G; ++g) {
        double mean, var;
        group_moments(y, V, C, G, b, g, mean, var);
        INFO("groups " << G << ", mesh " << b << ", group " << g);
        CHECK(mean == Approx(-1.0).margin(1e-5));
        CHECK(var == Approx(4.0).epsilon(1e-5));
      }
  }
}

TEST_CASE("group_norm: a hand-computed group, and [V, C] is one mesh", "[op][cpu]") {
  // One group over 2 vertices x 2 channels: mean 1.5, variance 1.25.
  Var x(Tensor::from_vector({2, 2}, {0, 1, 2, 3}));
  Var gamma(Tensor::from_vector({2}, {1, 2})), beta(Tensor::from_vector({2}, {0, 10}));
  const float eps = 1e-5f;
  std::vector<float> y = group_norm(x, gamma, beta, 1, eps).value().to_vector();
  const double r = 1.0 / std::sqrt(1.25 + eps);
  CHECK(y[0] == Approx(-1.5 * r));
  CHECK(y[1] == Approx(2 * -0.5 * r + 10));
  CHECK(y[2] == Approx(0.5 * r));
  CHECK(y[3] == Approx(2 * 1.5 * r + 10));
  // The same values as a batch of one give the same result.
  Var xb(Tensor::from_vector({1, 2, 2}, {0, 1, 2, 3}));
  CHECK(group_norm(xb, gamma, beta, 1, eps).value().to_vector() == y);
}

TEST_CASE("group_norm: the input gradient is orthogonal to shifts and scalings of a group",
          "[op][cpu]") {
  // y does not change when a group's values are shifted or scaled (eps = 0), so with a uniform
  // gamma, Σ dx and Σ dx·x over each group vanish.
  const int64_t B = 2, V = 7, C = 6, G = 2;
  Var x(random_tensor({B, V, C}, 31), true);
  Var gamma(Tensor::full({C}, 1.5f), true), beta(random_tensor({C}, 32), true);
  Var y = group_norm(x, gamma, beta, G, 0.0f);
  y.backward(random_tensor({B, V, C}, 33));
  std::vector<float> dx = x.grad().to_vector(), xv = x.value().to_vector();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t g = 0; g < G; ++g) {
      double s = 0.0, sx = 0.0;
      for (int64_t v = 0; v < V; ++v)
        for (int64_t c = g * (C / G); c < (g + 1) * (C / G); ++c) {
          const int64_t i = (b * V + v) * C + c;
          s += dx[i];
          sx += dx[i] * xv[i];
        }
      CHECK(s == Approx(0.0).margin(1e-5));
      CHECK(sx == Approx(0.0).margin(1e-5));
    }
  CHECK(gamma.grad().defined());
  CHECK(beta.grad().defined());
}

TEST_CASE("group_norm: bad shapes are rejected", "[op][cpu]") {
  Var x(Tensor::zeros({2, 3, 6})), g6(Tensor::zeros({6})), g5(Tensor::zeros({5}));
  CHECK_THROWS_AS(group_norm(x, g6, g6, 4), std::invalid_argument);  // 6 % 4 != 0
  CHECK_THROWS_AS(group_norm(x, g5, g6, 3), std::invalid_argument);
  CHECK_THROWS_AS(group_norm(Var(Tensor::zeros({6})), g6, g6, 3), std::invalid_argument);
}

TEST_CASE("group_norm on 200k vertices: CUDA matches the CPU", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  // Many chunks per group: the CUDA reduction splits the vertices over blocks.
  const int64_t B = 2, V = 200000, C = 64, G = 8;
  Tensor x = random_tensor({B, V, C}, 41, 2.0f, 4.0f);  // mean 3, std 0.58: shifted sums matter
  Tensor gamma = random_tensor({C}, 42, 0.5f, 1.5f), beta = random_tensor({C}, 43);
  Tensor dy = random_tensor({B, V, C}, 44);
  Tensor outs[2], dxs[2], dgs[2], dbs[2];
  for (int k = 0; k < 2; ++k) {
    const Device dev = k == 0 ? Device::CPU : Device::CUDA;
    Var X(x.to(dev).clone(), true), Gm(gamma.to(dev).clone(), true), Bt(beta.to(dev).clone(), true);
    Var y = group_norm(X, Gm, Bt, G);
    y.backward(dy.to(dev));
    outs[k] = y.value();
    dxs[k] = X.grad();
    dgs[k] = Gm.grad();
    dbs[k] = Bt.grad();
  }
  // max |cpu - cuda| <= rtol · max |cpu|
  auto close = [](const Tensor& a, const Tensor& b, double rtol) {
    std::vector<float> u = a.to_vector(), v = b.to_vector();
    double d = 0.0, scale = 0.0;
    for (size_t i = 0; i < u.size(); ++i) {
      d = std::max(d, (double)std::abs(u[i] - v[i]));
      scale = std::max(scale, (double)std::abs(u[i]));
    }
    INFO("max diff " << d << ", max value " << scale);
    return d <= rtol * scale;
  };
  CHECK(close(outs[0], outs[1], 1e-4));
  CHECK(close(dxs[0], dxs[1], 1e-4));
  // dgamma, dbeta sum 400k terms: FP32 partial sums on the GPU.
  CHECK(close(dgs[0], dgs[1], 1e-3));
  CHECK(close(dbs[0], dbs[1], 1e-3));
}

NFS_OP_CASE(weight_norm) {
  // A conv weight [Co, Ci, kh, kw] and its gains [Co].
  OpCase c;
  c.inputs = {random_tensor({4, 3, 2, 2}, 51), random_tensor({4}, 52, 0.5f, 2.0f)};
  c.fn = [](const std::vector<Var>& v) { return weight_norm(v[0], v[1]); };
  c.gpu_why = "block reduction of the row norm vs. a double loop";
  return c;
}

TEST_CASE("weight_norm: each output channel has norm |g| and the direction of v", "[op][cpu]") {
  Var v(random_tensor({3, 2, 4}, 61));
  Var g(Tensor::from_vector({3}, {2.0f, 0.5f, -3.0f}));
  std::vector<float> w = weight_norm(v, g).value().to_vector(), vv = v.value().to_vector();
  const float gains[3] = {2.0f, 0.5f, -3.0f};
  for (int o = 0; o < 3; ++o) {
    double n2 = 0.0, vn2 = 0.0, dot = 0.0;
    for (int k = 0; k < 8; ++k) {
      n2 += double(w[o * 8 + k]) * w[o * 8 + k];
      vn2 += double(vv[o * 8 + k]) * vv[o * 8 + k];
      dot += double(w[o * 8 + k]) * vv[o * 8 + k];
    }
    CHECK(std::sqrt(n2) == Approx(std::abs(gains[o])));
    CHECK(dot == Approx(gains[o] * std::sqrt(vn2)));  // parallel (or antiparallel for g < 0)
  }
  // Hand value: v = (3, 4), g = 10 -> w = (6, 8).
  Var v2(Tensor::from_vector({1, 2}, {3, 4})), g2(Tensor::from_vector({1}, {10}));
  CHECK(weight_norm(v2, g2).value().to_vector() == std::vector<float>{6, 8});
  CHECK_THROWS_AS(weight_norm(v, Var(Tensor::zeros({4}))), std::invalid_argument);
}
