// Cases for the reductions sum, mean and vertex_mean; closed forms; CUDA against the CPU on
// large inputs.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(sum) {
  // 64000 elements: many CUDA blocks combined by atomics.
  OpCase c;
  c.inputs = {random_tensor({8, 1000, 8}, 51)};
  c.fn = [](const std::vector<Var>& v) { return sum(v[0]); };
  c.gpu_rtol = 1e-4f;
  c.gpu_atol = 1e-4f;
  c.gpu_why = "float block sums combined by atomics against the CPU's double sum";
  return c;
}

NFS_OP_CASE(mean) {
  OpCase c;
  c.inputs = {random_tensor({3, 4, 5}, 52)};
  c.fn = [](const std::vector<Var>& v) { return mean(v[0]); };
  c.gpu_rtol = 1e-5f;
  c.gpu_atol = 1e-6f;
  c.gpu_why = "float block sum against the CPU's double sum";
  return c;
}

NFS_OP_CASE(vertex_mean) {
  // 300 vertices: the CUDA kernel splits them over blocks combined by atomics.
  OpCase c;
  c.inputs = {random_tensor({2, 300, 5}, 53)};
  c.fn = [](const std::vector<Var>& v) {
    const Tensor mass = random_tensor({300}, 54, 0.1f, 1.0f);
    return vertex_mean(v[0], mass.to(v[0].device()));
  };
  c.gpu_why = "float partial sums over vertex slices combined by atomics";
  return c;
}

TEST_CASE("sum and mean of known values", "[op][cpu]") {
  std::vector<float> v(10);
  for (int i = 0; i < 10; ++i) v[i] = float(i + 1);
  Var x(Tensor::from_vector({2, 5}, v), true);
  Var s = sum(x);
  CHECK(s.shape() == Shape{1});
  CHECK(s.value().item() == 55.0f);
  s.backward();
  CHECK(x.grad().to_vector() == std::vector<float>(10, 1.0f));

  Var y(Tensor::from_vector({2, 5}, v), true);
  Var m = mean(y);
  CHECK(m.value().item() == 5.5f);
  m.backward(Tensor::from_vector({1}, {2.0f}));
  for (float g : y.grad().to_vector()) CHECK(g == Approx(0.2).epsilon(1e-6));
}

TEST_CASE("vertex_mean weights vertices by their mass", "[op][cpu]") {
  // Two meshes of three vertices, two channels; mass 1, 2, 3 (Σ = 6).
  Var x(Tensor::from_vector({2, 3, 2}, {1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16}), true);
  const Tensor mass = Tensor::from_vector({3}, {1, 2, 3});
  Var y = vertex_mean(x, mass);
  CHECK(y.shape() == Shape{2, 2});
  // (1·1 + 2·3 + 3·5) / 6 = 22/6, (1·2 + 2·4 + 3·6) / 6 = 28/6; mesh 1 is mesh 0 + 10.
  const std::vector<float> got = y.value().to_vector();
  const std::vector<double> want = {22.0 / 6, 28.0 / 6, 10 + 22.0 / 6, 10 + 28.0 / 6};
  for (int i = 0; i < 4; ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-6));

  // dx[b, v, c] = m_v / 6 · g[b, c].
  y.backward(Tensor::from_vector({2, 2}, {1, 2, 3, 4}));
  const std::vector<float> g = x.grad().to_vector();
  const float gy[2][2] = {{1, 2}, {3, 4}};
  for (int b = 0; b < 2; ++b)
    for (int v = 0; v < 3; ++v)
      for (int c = 0; c < 2; ++c)
        CHECK(g[(b * 3 + v) * 2 + c] == Approx((v + 1) / 6.0 * gy[b][c]).epsilon(1e-6));

  // Unbatched [V, C] -> [C]; a uniform mass is the plain mean over vertices.
  Var x2(Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}));
  const std::vector<float> plain = vertex_mean(x2, Tensor::full({3}, 0.25f)).value().to_vector();
  REQUIRE(plain.size() == 2);
  CHECK(plain[0] == Approx(3.0).epsilon(1e-6));
  CHECK(plain[1] == Approx(4.0).epsilon(1e-6));

  CHECK_THROWS_AS(vertex_mean(x, Tensor::from_vector({2}, {1, 1})), std::invalid_argument);
  CHECK_THROWS_AS(vertex_mean(Var(Tensor::zeros({6})), mass), std::invalid_argument);
}

namespace {
// max |a - b| / max(|a|, |b|, 1e-6) over all elements.
double worst_relative(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double scale = std::max({std::abs(double(a[i])), std::abs(double(b[i])), 1e-6});
    worst = std::max(worst, std::abs(double(a[i]) - b[i]) / scale);
  }
  return worst;
}

}  // namespace

TEST_CASE("reductions agree with the CPU on large inputs", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  const Tensor x = random_tensor({4, 20000, 64}, 55);
  const Tensor mass = random_tensor({20000}, 56, 0.01f, 1.0f);
  const Tensor gy = random_tensor({4, 64}, 57);
  float sums[2];
  std::vector<float> means[2], grads[2];
  for (int d = 0; d < 2; ++d) {
    const Device dev = d == 0 ? Device::CPU : Device::CUDA;
    sums[d] = sum(Var(x.to(dev))).value().item();
    Var v(x.to(dev).clone(), true);
    Var y = vertex_mean(v, mass.to(dev));
    y.backward(gy.to(dev));
    means[d] = y.value().to_vector();
    grads[d] = v.grad().to_vector();
  }
  // 5.1M terms of about ±1: the sum is of order 1e3, float partial sums are good to ~1e-6.
  CHECK(sums[1] == Approx(sums[0]).epsilon(1e-5).margin(1e-2));
  // Means of 20,000 terms of about ±1 are ~1e-2 and some ~1e-5; the CUDA sum adds in
  // atomic, run-dependent order, so entry by entry relative error is flaky near 0 (issue 17).
  CHECK(test::scaled_max_error(means[0], means[1]) < 1e-4);
  // m_v / Σm · g: Σm itself differs by a few roundings between the devices.
  CHECK(worst_relative(grads[0], grads[1]) < 1e-5);
}

TEST_CASE("segment_weights: mass-weighted, each column sums to 1, empty columns 0", "[op][cpu]") {
  // One mesh of three vertices (mass 1, 2, 3) and two segments; segment 1 is empty.
  const Tensor s = Tensor::from_vector({1, 3, 2}, {0.5f, 0, 1.0f, 0, 0.25f, 0});
  const std::vector<float> w = segment_weights(s, Tensor::from_vector({3}, {1, 2, 3})).to_vector();
  // Σ m s = 0.5 + 2 + 0.75 = 3.25.
  const double want[3] = {0.5 / 3.25, 2.0 / 3.25, 0.75 / 3.25};
  for (int v = 0; v < 3; ++v) {
    CHECK(w[v * 2] == Approx(want[v]).epsilon(1e-6));
    CHECK(w[v * 2 + 1] == 0.0f);
  }
  // matmul(w, h, true) is the segment mean: random soft segments, columns sum to 1.
  const Tensor soft = random_tensor({2, 50, 4}, 61, 0.0f, 1.0f), mass = random_tensor({50}, 62, 0.1f, 1.0f);
  const std::vector<float> ws = segment_weights(soft, mass).to_vector();
  for (int b = 0; b < 2; ++b)
    for (int l = 0; l < 4; ++l) {
      double total = 0.0;
      for (int v = 0; v < 50; ++v) total += ws[(b * 50 + v) * 4 + l];
      CHECK(total == Approx(1.0).epsilon(1e-5));
    }
  CHECK_THROWS_AS(segment_weights(Tensor::zeros({3, 2}), mass), std::invalid_argument);
  CHECK_THROWS_AS(segment_weights(soft, Tensor::zeros({49})), std::invalid_argument);
}

TEST_CASE("segment_weights on CUDA match the CPU on a large mesh", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  // 4 meshes of 60,000 vertices and 20 segments (the expression encoder's pooling at scale).
  const Tensor s = random_tensor({4, 60000, 20}, 63, 0.0f, 1.0f), mass = random_tensor({60000}, 64, 0.01f, 1.0f);
  const std::vector<float> cpu = segment_weights(s, mass).to_vector();
  const std::vector<float> gpu = segment_weights(s.to(Device::CUDA), mass.to(Device::CUDA)).to_vector();
  CHECK(worst_relative(cpu, gpu) < 1e-5);
}
