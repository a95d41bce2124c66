// The batched vertex-normals kernel: forward against the double-precision geometry version,
// backward against central differences, CPU against CUDA.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "geometry/test_meshes.h"
#include "geometry/vertex_normals.h"
#include "kernels/vertex_normals.h"
#include "nn/tensor.h"
#include "support/gpu.h"

using namespace nfs;

namespace {

// B frames of a small sphere with random per-frame jitter, plus one isolated vertex at the end.
struct Batch {
  int64_t B = 0, V = 0, F = 0;
  std::vector<float> pos;
  std::vector<int32_t> faces;
};

Batch make_batch(int levels, int64_t B, uint64_t seed) {
  Eigen::MatrixXd V;
  Eigen::MatrixXi F;
  test::icosphere(levels, V, F);
  Batch b;
  b.B = B;
  b.V = V.rows() + 1;
  b.F = F.rows();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-0.1, 0.1);
  for (int64_t f = 0; f < B; ++f)
    for (int64_t i = 0; i < b.V; ++i)
      for (int k = 0; k < 3; ++k)
        b.pos.push_back(
            static_cast<float>((i < V.rows() ? V(i, k) : 2.0) * (1.0 + 0.2 * f) + u(rng)));
  for (int64_t f = 0; f < b.F; ++f)
    for (int k = 0; k < 3; ++k) b.faces.push_back(F(f, k));
  return b;
}

std::vector<float> random_values(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

}  // namespace

TEST_CASE("vertex_normals kernel matches the geometry normals", "[kernels][cpu]") {
  const Batch b = make_batch(2, 3, 1);
  std::vector<float> n(b.pos.size()), s(b.pos.size());
  cpu::vertex_normals_forward(n.data(), s.data(), b.pos.data(), b.faces.data(), b.B, b.V, b.F);
  Eigen::MatrixXi F(b.F, 3);
  for (int64_t f = 0; f < b.F; ++f)
    for (int k = 0; k < 3; ++k) F(f, k) = b.faces[f * 3 + k];
  for (int64_t frame = 0; frame < b.B; ++frame) {
    Eigen::MatrixXd V(b.V, 3);
    for (int64_t i = 0; i < b.V; ++i)
      for (int k = 0; k < 3; ++k) V(i, k) = b.pos[(frame * b.V + i) * 3 + k];
    Eigen::MatrixXd N;
    geo::vertex_normals(V, F, N);
    for (int64_t i = 0; i < b.V; ++i)
      for (int k = 0; k < 3; ++k)
        CHECK(n[(frame * b.V + i) * 3 + k] == Approx(N(i, k)).margin(1e-6));
  }
  // The isolated last vertex: zero normal.
  CHECK(n[(b.V - 1) * 3] == 0.0f);
  // Closed, star-shaped frames: normals point outward.
  for (int64_t i = 0; i + 1 < b.V; ++i) {
    const float* p = &b.pos[i * 3];
    const float* q = &n[i * 3];
    CHECK(p[0] * q[0] + p[1] * q[1] + p[2] * q[2] > 0.8f);
  }
}

TEST_CASE("vertex_normals backward matches central differences", "[kernels][cpu]") {
  Batch b = make_batch(1, 2, 2);
  const size_t n = b.pos.size();
  const std::vector<float> w = random_values(n, 3);  // loss = Σ w ⊙ normals
  std::vector<float> normals(n), sums(n), grad(n, 123.0f), dn = w;
  cpu::vertex_normals_forward(normals.data(), sums.data(), b.pos.data(), b.faces.data(), b.B, b.V,
                              b.F);
  cpu::vertex_normals_backward(grad.data(), sums.data(), dn.data(), b.pos.data(), b.faces.data(),
                               b.B, b.V, b.F);
  auto loss = [&](const std::vector<float>& pos) {
    std::vector<float> nn(n), ss(n);
    cpu::vertex_normals_forward(nn.data(), ss.data(), pos.data(), b.faces.data(), b.B, b.V, b.F);
    double l = 0;
    for (size_t i = 0; i < n; ++i) l += static_cast<double>(w[i]) * nn[i];
    return l;
  };
  const float eps = 1e-3f;
  double worst = 0;
  for (size_t i = 0; i < n; ++i) {
    std::vector<float> p = b.pos;
    p[i] = b.pos[i] + eps;
    const double lp = loss(p);
    p[i] = b.pos[i] - eps;
    const double lm = loss(p);
    const double numeric = (lp - lm) / (static_cast<double>(b.pos[i] + eps) - (b.pos[i] - eps));
    INFO("coordinate " << i << ": analytic " << grad[i] << ", numeric " << numeric);
    CHECK(std::abs(grad[i] - numeric) <= 2e-3 + 2e-2 * std::abs(numeric));
    worst = std::max(worst, std::abs(grad[i] - numeric));
  }
  // The isolated vertex: no gradient (overwritten, not accumulated onto the 123s).
  for (int64_t f = 0; f < b.B; ++f)
    for (int k = 0; k < 3; ++k) CHECK(grad[((f + 1) * b.V - 1) * 3 + k] == 0.0f);
}

TEST_CASE("cuda-parity/vertex_normals forward and backward", "[kernels][gpu]") {
  NFS_REQUIRE_GPU();
#if NFS_WITH_CUDA
  const Batch b = make_batch(3, 4, 4);
  const size_t n = b.pos.size();
  const std::vector<float> dn = random_values(n, 5);
  std::vector<float> n_cpu(n), s_cpu(n), g_cpu(n);
  cpu::vertex_normals_forward(n_cpu.data(), s_cpu.data(), b.pos.data(), b.faces.data(), b.B, b.V,
                              b.F);
  cpu::vertex_normals_backward(g_cpu.data(), s_cpu.data(), dn.data(), b.pos.data(), b.faces.data(),
                               b.B, b.V, b.F);

  const Shape shape{b.B, b.V, 3};
  Tensor pos = Tensor::from_vector(shape, b.pos, Device::CUDA);
  Tensor faces = Tensor::from_ints({b.F, 3}, b.faces, Device::CUDA);
  Tensor dnorm = Tensor::from_vector(shape, dn, Device::CUDA);
  Tensor normals = Tensor::empty(shape, Device::CUDA), sums = Tensor::empty(shape, Device::CUDA);
  Tensor grad = Tensor::full(shape, 123.0f, Device::CUDA);
  cuda::vertex_normals_forward(normals.f32(), sums.f32(), pos.f32(), faces.i32(), b.B, b.V, b.F,
                               cuda::stream());
  cuda::vertex_normals_backward(grad.f32(), sums.f32(), dnorm.f32(), pos.f32(), faces.i32(), b.B,
                                b.V, b.F, cuda::stream());
  const std::vector<float> n_gpu = normals.to_vector(), s_gpu = sums.to_vector(),
                           g_gpu = grad.to_vector();
  // Float atomics add face normals in a varying order; the CPU sums in double.
  double worst_n = 0, worst_s = 0, worst_g = 0, g_scale = 0;
  for (size_t i = 0; i < n; ++i) {
    worst_n = std::max(worst_n, (double)std::abs(n_gpu[i] - n_cpu[i]));
    worst_s = std::max(worst_s, (double)std::abs(s_gpu[i] - s_cpu[i]));
    worst_g = std::max(worst_g, (double)std::abs(g_gpu[i] - g_cpu[i]));
    g_scale = std::max(g_scale, (double)std::abs(g_cpu[i]));
  }
  INFO("max |Δ| normals " << worst_n << ", sums " << worst_s << ", grad " << worst_g
                          << " (grad scale " << g_scale << ")");
  CHECK(worst_n < 1e-5);
  CHECK(worst_s < 1e-5);
  CHECK(worst_g < 1e-4 * g_scale);
#endif
}
