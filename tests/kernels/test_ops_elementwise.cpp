// Cases for the elementwise ops: add, sub, mul with broadcasting, scale, the activations and
// dropout; closed-form forward and gradient checks; CPU-vs-CUDA checks on large shapes.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

namespace {

// Random values with |x| >= margin, so no finite difference straddles the kink at 0.
Tensor away_from_zero(const Shape& shape, uint64_t seed, float margin) {
  std::vector<float> v = random_tensor(shape, seed).to_vector();
  for (float& x : v) x = x < 0.0f ? x - margin : x + margin;
  return Tensor::from_vector(shape, v);
}

std::vector<float> values(const Var& v) {
  return v.value().to_vector();
}
std::vector<float> grad_of(const Var& v) {
  return v.grad().to_vector();
}

void check_close(const std::vector<float>& got, const std::vector<double>& want,
                 double eps = 1e-6) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).epsilon(eps).margin(eps));
  }
}

}  // namespace

// ---- op cases ------------------------------------------------------------------------------

NFS_OP_CASE(add) {
  // [2,1,4] + [3,1] -> [2,3,4]: each operand is broadcast along an axis the other has; then a
  // one-element [1] operand broadcast over everything.
  OpCase c;
  c.inputs = {random_tensor({2, 1, 4}, 11), random_tensor({3, 1}, 12), random_tensor({1}, 13)};
  c.fn = [](const std::vector<Var>& v) { return add(add(v[0], v[1]), v[2]); };
  c.gpu_why = "gradients summed over the broadcast axes in another order";
  return c;
}

NFS_OP_CASE(sub) {
  // [4,40,1] - [8] -> [4,40,8]: the [8] gradient sums 160 rows (the split CUDA reduction with
  // atomics) with a negative sign; then [B,V,C] - [V,C].
  OpCase c;
  c.inputs = {random_tensor({4, 40, 1}, 14), random_tensor({8}, 15), random_tensor({40, 8}, 16)};
  c.fn = [](const std::vector<Var>& v) { return sub(sub(v[0], v[1]), v[2]); };
  c.gpu_why = "gradients summed over 160 rows by blocks and float atomics";
  return c;
}

NFS_OP_CASE(mul) {
  // [B,V,C] * [V,C], then * [B,1,C] (a per-mesh, per-channel factor summed over 20 vertices).
  OpCase c;
  c.inputs = {random_tensor({2, 20, 3}, 17), random_tensor({20, 3}, 18),
              random_tensor({2, 1, 3}, 19)};
  c.fn = [](const std::vector<Var>& v) { return mul(mul(v[0], v[1]), v[2]); };
  c.gpu_why = "gradients summed over the broadcast axes in another order";
  return c;
}

NFS_OP_CASE(scale) {
  OpCase c;
  c.inputs = {random_tensor({3, 4}, 20)};
  c.fn = [](const std::vector<Var>& v) { return scale(v[0], -1.7f); };
  c.gpu_why = "one float multiply on both devices";
  return c;
}

NFS_OP_CASE(relu) {
  OpCase c;
  c.inputs = {away_from_zero({4, 5}, 21, 0.05f)};
  c.fn = [](const std::vector<Var>& v) { return relu(v[0]); };
  c.gpu_why = "a comparison and a copy on both devices";
  return c;
}

NFS_OP_CASE(leaky_relu) {
  OpCase c;
  c.inputs = {away_from_zero({4, 5}, 22, 0.05f)};
  c.fn = [](const std::vector<Var>& v) { return leaky_relu(v[0], 0.1f); };
  c.gpu_why = "a comparison and one multiply on both devices";
  return c;
}

NFS_OP_CASE(tanh) {
  OpCase c;
  c.inputs = {random_tensor({4, 5}, 23, -2.0f, 2.0f)};
  c.fn = [](const std::vector<Var>& v) { return nfs::tanh(v[0]); };
  c.gpu_why = "CUDA tanhf is within a few ulp of std::tanh";
  return c;
}

NFS_OP_CASE(sigmoid) {
  OpCase c;
  c.inputs = {random_tensor({4, 5}, 24, -3.0f, 3.0f)};
  c.fn = [](const std::vector<Var>& v) { return sigmoid(v[0]); };
  c.gpu_why = "CUDA expf is within a few ulp of std::exp";
  return c;
}

NFS_OP_CASE(exp) {
  OpCase c;
  c.inputs = {random_tensor({4, 5}, 25, -1.0f, 1.5f)};
  c.fn = [](const std::vector<Var>& v) { return nfs::exp(v[0]); };
  c.gpu_why = "CUDA expf is within a few ulp of std::exp";
  return c;
}

NFS_OP_CASE(dropout) {
  OpCase c;
  c.inputs = {random_tensor({8, 16}, 26)};
  c.fn = [](const std::vector<Var>& v) { return dropout(v[0], 0.3f, 42, /*training=*/true); };
  c.gpu_rtol = 0.0f;
  c.gpu_atol = 0.0f;
  c.gpu_why = "the same mask from the same integer hash and one multiply: bit-identical";
  return c;
}

// ---- closed forms --------------------------------------------------------------------------

TEST_CASE("add, sub and mul broadcast like numpy", "[op][cpu]") {
  Var a(Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6}));
  Var b(Tensor::from_vector({3}, {10, 20, 30}));
  check_close(values(add(a, b)), {11, 22, 33, 14, 25, 36});
  check_close(values(sub(a, b)), {-9, -18, -27, -6, -15, -24});
  check_close(values(sub(b, a)), {9, 18, 27, 6, 15, 24});
  check_close(values(mul(a, b)), {10, 40, 90, 40, 100, 180});

  // Both operands broadcast: a column [2,1] against a row [1,3] gives the outer sum / product.
  Var col(Tensor::from_vector({2, 1}, {1, 2}));
  Var row(Tensor::from_vector({1, 3}, {10, 20, 30}));
  CHECK(add(col, row).shape() == Shape{2, 3});
  check_close(values(add(col, row)), {11, 21, 31, 12, 22, 32});
  check_close(values(mul(row, col)), {10, 20, 30, 20, 40, 60});

  // [2,3,4] * [3,1]: element [i,j,k] is scaled by j + 1.
  std::vector<float> seq(24);
  for (int i = 0; i < 24; ++i) seq[i] = static_cast<float>(i);
  Var x(Tensor::from_vector({2, 3, 4}, seq));
  Var s(Tensor::from_vector({3, 1}, {1, 2, 3}));
  std::vector<double> want(24);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) want[(i * 3 + j) * 4 + k] = seq[(i * 3 + j) * 4 + k] * (j + 1);
  check_close(values(mul(x, s)), want);

  // A one-element operand against a matrix.
  Var one(Tensor::from_vector({1}, {0.5f}));
  check_close(values(mul(one, a)), {0.5, 1, 1.5, 2, 2.5, 3});

  CHECK_THROWS_AS(add(a, Var(Tensor::zeros({2}))), std::invalid_argument);
  CHECK_THROWS_AS(mul(x, Var(Tensor::zeros({2, 4}))), std::invalid_argument);
}

TEST_CASE("broadcast gradients sum over the broadcast axes", "[op][cpu]") {
  Var a(Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6}), true);
  Var b(Tensor::from_vector({3}, {10, 20, 30}), true);
  SECTION("mul") {
    sum(mul(a, b)).backward();
    check_close(grad_of(a), {10, 20, 30, 10, 20, 30});
    check_close(grad_of(b), {5, 7, 9});  // column sums of a
  }
  SECTION("sub: the second operand's gradient is negated") {
    sum(sub(a, b)).backward();
    check_close(grad_of(a), {1, 1, 1, 1, 1, 1});
    check_close(grad_of(b), {-2, -2, -2});
  }
  SECTION("through an intermediate value (a fresh gradient, not the leaf's buffer)") {
    Var b2 = scale(b, 2.0f);
    sum(mul(a, b2)).backward();  // d/db Σ a·2b = 2 Σ_rows a
    check_close(grad_of(b), {10, 14, 18});
  }
  SECTION("outer sum: both operands reduced") {
    Var col(Tensor::from_vector({2, 1}, {1, 2}), true);
    Var row(Tensor::from_vector({1, 3}, {10, 20, 30}), true);
    // Seed g[i,j] = 1 + i·3 + j: col gets row sums, row gets column sums.
    add(col, row).backward(Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6}));
    check_close(grad_of(col), {6, 15});
    check_close(grad_of(row), {5, 7, 9});
  }
  SECTION("x · x adds both operands' gradients") {
    sum(mul(a, a)).backward();
    check_close(grad_of(a), {2, 4, 6, 8, 10, 12});
  }
}

TEST_CASE("activations match their closed forms", "[op][cpu]") {
  const std::vector<float> xs = {-2.0f, -0.5f, 0.0f, 0.5f, 2.0f};
  auto run = [&](Var (*op)(const Var&)) {
    Var x(Tensor::from_vector({5}, xs), true);
    Var y = op(x);
    y.backward(Tensor::full({5}, 1.0f));
    return std::make_pair(values(y), grad_of(x));
  };
  auto [relu_y, relu_g] = run(&relu);
  check_close(relu_y, {0, 0, 0, 0.5, 2});
  check_close(relu_g, {0, 0, 0, 1, 1});

  Var x(Tensor::from_vector({5}, xs), true);
  Var y = leaky_relu(x, 0.1f);
  y.backward(Tensor::full({5}, 1.0f));
  check_close(values(y), {-0.2, -0.05, 0, 0.5, 2});
  check_close(grad_of(x), {0.1, 0.1, 0.1, 1, 1});

  Var xs2(Tensor::from_vector({5}, xs), true);
  Var s = scale(xs2, -3.0f);
  s.backward(Tensor::full({5}, 1.0f));
  check_close(values(s), {6, 1.5, 0, -1.5, -6});
  check_close(grad_of(xs2), {-3, -3, -3, -3, -3});

  std::vector<double> th, dth, sg, dsg, ex;
  for (float v : xs) {
    const double t = std::tanh(double(v)), e = std::exp(double(v)),
                 q = 1.0 / (1.0 + std::exp(-double(v)));
    th.push_back(t);
    dth.push_back(1.0 - t * t);
    sg.push_back(q);
    dsg.push_back(q * (1.0 - q));
    ex.push_back(e);
  }
  auto [tanh_y, tanh_g] = run(&nfs::tanh);
  check_close(tanh_y, th);
  check_close(tanh_g, dth);
  auto [sig_y, sig_g] = run(&sigmoid);
  check_close(sig_y, sg);
  check_close(sig_g, dsg);
  CHECK(sig_y[2] == 0.5f);
  auto [exp_y, exp_g] = run(&nfs::exp);
  check_close(exp_y, ex);
  check_close(exp_g, ex);
  // sigmoid(ln 3) = 3/4.
  CHECK(values(sigmoid(Var(Tensor::from_vector({1}, {std::log(3.0f)}))))[0] ==
        Approx(0.75).epsilon(1e-6));
}

TEST_CASE("dropout keeps about 1 - p of the elements and scales them by 1/(1-p)", "[op][cpu]") {
  const int64_t n = 100000;
  const float p = 0.3f;
  Var x(Tensor::full({n}, 2.0f), true);
  Var y = dropout(x, p, 7, true);
  y.backward(Tensor::full({n}, 1.0f));
  const std::vector<float> out = values(y), g = grad_of(x);
  int64_t kept = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (out[i] != 0.0f) {
      ++kept;
      CHECK(out[i] == Approx(2.0 / 0.7).epsilon(1e-6));
      CHECK(g[i] == Approx(1.0 / 0.7).epsilon(1e-6));  // the same mask in the backward
    } else {
      CHECK(g[i] == 0.0f);
    }
  }
  // Binomial(1e5, 0.7): standard deviation 0.0014 in the fraction; 0.01 is seven of them.
  CHECK(double(kept) / n == Approx(0.7).margin(0.01));

  // A pure function of (seed, index): same seed, same mask; another seed, another mask.
  CHECK(values(dropout(x, p, 7, true)) == out);
  const std::vector<float> other = values(dropout(x, p, 8, true));
  int64_t differ = 0;
  for (int64_t i = 0; i < n; ++i) differ += (other[i] == 0.0f) != (out[i] == 0.0f);
  CHECK(double(differ) / n == Approx(2 * 0.3 * 0.7).margin(0.02));  // independent masks
  // The shape does not matter, only the flat index.
  CHECK(values(dropout(Var(Tensor::full({1000, 100}, 2.0f)), p, 7, true)) == out);

  // Identity out of training or with p = 0; p = 1 drops everything.
  CHECK(values(dropout(x, p, 7, false)) == values(x));
  CHECK(values(dropout(x, 0.0f, 7, true)) == values(x));
  const std::vector<float> none = values(dropout(x, 1.0f, 7, true));
  CHECK(std::all_of(none.begin(), none.end(), [](float v) { return v == 0.0f; }));
  CHECK_THROWS_AS(dropout(x, 1.5f, 7, true), std::invalid_argument);
  CHECK_THROWS_AS(dropout(x, -0.1f, 7, true), std::invalid_argument);
}

// ---- CUDA against the CPU on large shapes (every reduction kernel and the index paths) ------

TEST_CASE("broadcast ops agree with the CPU on large shapes", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  struct Pair {
    Shape a, b;
  };
  const std::vector<Pair> pairs = {
      {{8, 1000, 64}, {64}},          // bias-like: 8000 rows per channel, split over blocks
      {{8, 1000, 64}, {1000, 64}},    // [B,V,C] with [V,C]: 8 terms per element
      {{8, 1000, 64}, {8, 1, 64}},    // per-mesh channel factor: 1000 rows
      {{8, 1000, 64}, {8, 1000, 1}},  // per-vertex factor: 64 channels, innermost reduced
      {{4, 1, 100000}, {4, 3, 1}},    // both broadcast; innermost reduced, long rows
      {{2, 3, 5, 7}, {3, 1, 7}},      // 4-D, axes that cannot be merged
      {{300000}, {1}},                // a scalar against a long vector
  };
  for (const Pair& pr : pairs) {
    for (int op = 0; op < 3; ++op) {
      INFO("op " << op << " on " << pr.a.str() << " and " << pr.b.str());
      const Tensor ta = random_tensor(pr.a, 31), tb = random_tensor(pr.b, 32);
      std::vector<float> out[2], ga[2], gb[2];
      for (int d = 0; d < 2; ++d) {
        const Device dev = d == 0 ? Device::CPU : Device::CUDA;
        Var a(ta.to(dev).clone(), true), b(tb.to(dev).clone(), true);
        Var y = op == 0 ? add(a, b) : op == 1 ? sub(a, b) : mul(a, b);
        y.backward(random_tensor(y.shape(), 33).to(dev));
        out[d] = values(y);
        ga[d] = grad_of(a);
        gb[d] = grad_of(b);
      }
      CHECK(out[0] == out[1]);  // one float operation per element: bit-identical
      // Gradients are sums of up to 8000 terms, reduced in another order: relative to the
      // largest magnitude.
      for (auto* g : {ga, gb}) {
        double worst = 0.0, scale = 1.0;
        for (size_t i = 0; i < g[0].size(); ++i) {
          worst = std::max(worst, std::abs(double(g[0][i]) - g[1][i]));
          scale = std::max(scale, std::abs(double(g[0][i])));
        }
        CHECK(worst / scale < 1e-4);
      }
    }
  }
}

TEST_CASE("dropout drops the same elements on the CPU and CUDA", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  const Shape shape{3, 1000, 333};
  const Tensor x = random_tensor(shape, 34);
  const Tensor seed_grad = random_tensor(shape, 35);
  std::vector<float> out[2], grad[2];
  for (int d = 0; d < 2; ++d) {
    const Device dev = d == 0 ? Device::CPU : Device::CUDA;
    Var v(x.to(dev).clone(), true);
    Var y = dropout(v, 0.5f, 0xDEADBEEFCAFEull, true);
    y.backward(seed_grad.to(dev));
    out[d] = values(y);
    grad[d] = grad_of(v);
  }
  CHECK(out[0] == out[1]);
  CHECK(grad[0] == grad[1]);
}
