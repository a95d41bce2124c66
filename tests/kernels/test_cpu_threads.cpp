// The threaded CPU path (kernels/cpu_parallel.h): sizes large enough to split into several row
// tasks (and a partial last one), checked against a plain product / the unfused op chain, and
// bit for bit the same with one thread as with two (fixed tasks, fixed reduction order).
#include <cmath>
#include <tuple>
#include <vector>

#include "kernels/cpu_parallel.h"
#include "kernels/matmul.h"
#include "kernels/op_case.h"

using namespace nfs;
using nfs::test::random_tensor;

namespace {
// Runs fn with 1 and then 2 CPU threads; returns both results.
template <typename Fn>
std::pair<std::vector<float>, std::vector<float>> one_and_two_threads(Fn fn) {
  cpu::set_cpu_threads(1);
  std::vector<float> one = fn();
  cpu::set_cpu_threads(2);
  std::vector<float> two = fn();
  cpu::set_cpu_threads(0);
  return {one, two};
}
}  // namespace

TEST_CASE("cpu gemm split into row or column tasks equals a plain product, for any thread count", "[op][cpu]") {
  // 1030 rows: 5 row tasks of 256, the last one partial. 100 rows × 3000 columns: too few rows to
  // split, so 47 column tasks of 64, the last one partial (a spectral projection's shape).
  for (auto [M, N, K] : {std::tuple<int64_t, int64_t, int64_t>{1030, 64, 72}, {100, 3000, 40}}) {
    Tensor a = random_tensor({M * K}, 201), b = random_tensor({K * N}, 202);
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        INFO("M " << M << " N " << N << " trans_a " << ta << " trans_b " << tb);
        const GemmShape s{1, M, N, K, ta, tb, 0, 0, 0};
        auto [one, two] = one_and_two_threads([&] {
          std::vector<float> c(M * N, 1.0f);
          cpu::gemm(c.data(), a.f32(), b.f32(), s, 0.5f, 1.0f);
          return c;
        });
        CHECK(one == two);
        const float* A = a.f32();
        const float* B = b.f32();
        for (int64_t i = 0; i < M; i += 13)
          for (int64_t j = 0; j < N; j += 7) {
            double ref = 0.0;
            for (int64_t k = 0; k < K; ++k)
              ref += double(ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
            REQUIRE(one[i * N + j] == Approx(1.0 + 0.5 * ref).margin(1e-4));
          }
      }
  }
}

TEST_CASE("gn_mlp over several row tasks equals the composed chain, for any thread count", "[op][cpu]") {
  const int64_t B = 2, V = 600, H = 16;  // 3 tasks per mesh, the last partial
  std::vector<Tensor> values = {random_tensor({B, V, H}, 211, -2.0f, 3.0f), random_tensor({H}, 212, 0.5f, 1.5f),
                                random_tensor({H}, 213, -0.2f, 0.2f),       random_tensor({H}, 214, 0.5f, 1.5f),
                                random_tensor({H}, 215, -0.2f, 0.2f),       random_tensor({H, H}, 216),
                                random_tensor({3, H}, 217),                 random_tensor({3}, 218)};
  auto fused = [&] {
    std::vector<Var> f;
    for (const Tensor& t : values) f.emplace_back(t.clone(), true);
    Var y = gn_mlp(f[0], {f[1], f[3]}, {f[2], f[4]}, {f[5]}, f[6], f[7], 4);
    y.backward(random_tensor(y.shape(), 219));
    std::vector<float> out = y.value().to_vector();
    for (const Var& v : f) {
      std::vector<float> g = v.grad().to_vector();
      out.insert(out.end(), g.begin(), g.end());
    }
    return out;
  };
  auto [one, two] = one_and_two_threads(fused);
  CHECK(one == two);

  std::vector<Var> p;
  for (const Tensor& t : values) p.emplace_back(t.clone(), true);
  Var h = relu(group_norm(p[0], p[1], p[2], 4));
  h = relu(group_norm(linear(h, p[5]), p[3], p[4], 4));
  Var y = linear(h, p[6], p[7]);
  y.backward(random_tensor(y.shape(), 219));
  std::vector<float> plain = y.value().to_vector();
  for (const Var& v : p) {
    std::vector<float> g = v.grad().to_vector();
    plain.insert(plain.end(), g.begin(), g.end());
  }
  REQUIRE(plain.size() == one.size());
  // Parameter gradients sum over 1200 vertices: a looser margin than the outputs'.
  for (size_t i = 0; i < plain.size(); ++i) CHECK(one[i] == Approx(plain[i]).epsilon(1e-4).margin(2e-4));
}
