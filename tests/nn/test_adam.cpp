#include <catch2/catch.hpp>
#include <cmath>

#include "nn/adam.h"
#include "nn/ops.h"
#include "support/gpu.h"

using namespace nfs;

TEST_CASE("Adam's first step moves each parameter by lr against its gradient's sign", "[adam]") {
  // With zero moments, step 1 gives m̂ = g and v̂ = g², so Δp = -lr · g / (|g| + eps).
  Var p(Tensor::from_vector({3}, {1.0f, 2.0f, -3.0f}), true);
  Adam opt({{"p", p}}, AdamHyper{0.1f, 0.9f, 0.999f, 1e-8f});
  accumulate_grad(p.impl(), Tensor::from_vector({3}, {0.5f, -4.0f, 1e-3f}));
  opt.step();
  std::vector<float> v = p.value().to_vector();
  CHECK(v[0] == Approx(0.9f).epsilon(1e-5));
  CHECK(v[1] == Approx(2.1f).epsilon(1e-5));
  CHECK(v[2] == Approx(-3.1f).epsilon(1e-4));
}

TEST_CASE("Adam minimizes a least-squares problem", "[adam]") {
  // min ‖A w - b‖² for a well-conditioned A: converges to the solution w* = (1, -2).
  Var A(Tensor::from_vector({3, 2}, {1, 0, 0, 1, 1, 1}));
  Var b(Tensor::from_vector({3, 1}, {1, -2, -1}));
  Var w(Tensor::from_vector({2, 1}, {0, 0}), true);
  Adam opt({{"w", w}}, AdamHyper{0.05f});
  for (int i = 0; i < 600; ++i) {
    opt.zero_grad();
    Var r = matmul(A, w);
    // ‖r - b‖² via rᵀr - 2 bᵀr (+ const), built from matmul alone.
    Var loss = matmul(r, r, true, false);
    Var cross = matmul(b, r, true, false);
    loss.backward();
    cross.backward(Tensor::from_vector({1, 1}, {-2.0f}));
    opt.step();
  }
  std::vector<float> v = w.value().to_vector();
  CHECK(v[0] == Approx(1.0f).margin(1e-2));
  CHECK(v[1] == Approx(-2.0f).margin(1e-2));
  CHECK(opt.steps() == 600);
}

TEST_CASE("Adam state round-trips so a run resumes exactly", "[adam]") {
  auto run = [](Adam& opt, Var& w, int steps) {
    for (int i = 0; i < steps; ++i) {
      opt.zero_grad();
      matmul(w, w, false, true).backward();  // d(w wᵀ)/dw = 2w
      opt.step();
    }
  };
  Var w1(Tensor::from_vector({1, 3}, {1, -2, 3}), true);
  Adam a({{"w", w1}}, AdamHyper{0.01f});
  run(a, w1, 10);

  Var w2(Tensor::from_vector({1, 3}, {1, -2, 3}), true);
  Adam b({{"w", w2}}, AdamHyper{0.01f});
  run(b, w2, 4);
  Var w3(w2.value().clone(), true);
  Adam c({{"w", w3}}, AdamHyper{0.01f});
  c.load_state(b.state(), "state");
  CHECK(c.steps() == 4);
  run(c, w3, 6);
  CHECK(w3.value().to_vector() == w1.value().to_vector());

  std::map<std::string, Tensor> bad = b.state();
  bad.erase("w.exp_avg");
  CHECK_THROWS_WITH(c.load_state(bad, "opt.safetensors"), Catch::Contains("lacks 'w.exp_avg'"));
}

TEST_CASE("Adam step CPU vs CUDA", "[adam][gpu]") {
  NFS_REQUIRE_GPU();
  std::vector<float> p0(1000), g0(1000);
  for (int i = 0; i < 1000; ++i) {
    p0[i] = std::sin(0.1f * i);
    g0[i] = std::cos(0.37f * i);
  }
  Var pc(Tensor::from_vector({1000}, p0), true), pg(Tensor::from_vector({1000}, p0, Device::CUDA), true);
  Adam oc({{"p", pc}}, AdamHyper{1e-2f}), og({{"p", pg}}, AdamHyper{1e-2f});
  for (int s = 0; s < 5; ++s) {
    oc.zero_grad();
    og.zero_grad();
    accumulate_grad(pc.impl(), Tensor::from_vector({1000}, g0));
    accumulate_grad(pg.impl(), Tensor::from_vector({1000}, g0, Device::CUDA));
    oc.step();
    og.step();
  }
  std::vector<float> a = pc.value().to_vector(), b = pg.value().to_vector();
  double worst = 0;
  for (int i = 0; i < 1000; ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])));
  std::printf("cuda-parity adam max abs %.3e\n", worst);
  CHECK(worst < 1e-5);
}
