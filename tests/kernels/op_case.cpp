#include "kernels/op_case.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "nn/op_list.h"
#include "support/gpu.h"

namespace nfs::test {

namespace {
std::map<std::string, OpCaseFactory>& registry() {
  static std::map<std::string, OpCaseFactory> r;
  return r;
}

std::vector<Var> make_vars(const OpCase& c, Device dev) {
  std::vector<Var> vars;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    bool diff = c.differentiable.empty() || c.differentiable[i];
    vars.emplace_back(c.inputs[i].to(dev).clone(), diff);
  }
  return vars;
}

double weighted_sum(const Tensor& out, const std::vector<float>& r) {
  std::vector<float> o = out.to_vector();
  double s = 0.0;
  for (size_t i = 0; i < o.size(); ++i) s += static_cast<double>(o[i]) * r[i];
  return s;
}

// Up to `limit` element indices spread over [0, n): every element for small tensors.
std::vector<int64_t> sample_indices(int64_t n, int64_t limit) {
  std::vector<int64_t> idx;
  if (n <= limit) {
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
  } else {
    std::mt19937_64 rng(1234);
    for (int64_t i = 0; i < limit; ++i) idx.push_back(static_cast<int64_t>(rng() % n));
  }
  return idx;
}
}  // namespace

bool register_op_case(const char* name, OpCaseFactory factory) {
  registry()[name] = factory;
  return true;
}

double scaled_max_error(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0, scale = 1e-6;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(double(a[i]) - b[i]));
    scale = std::max(scale, std::abs(double(a[i])));
  }
  return worst / scale;
}

Tensor random_tensor(const Shape& shape, uint64_t seed, float lo, float hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(static_cast<size_t>(shape.numel()));
  for (float& x : v) x = u(rng);
  return Tensor::from_vector(shape, v);
}

void run_gradcheck(const char* name, const OpCase& c) {
  std::vector<Var> vars = make_vars(c, Device::CPU);
  Var out = c.fn(vars);
  // L = Σ out ⊙ R with a fixed random R, so every output element's gradient path is exercised.
  Tensor R = random_tensor(out.shape(), 777, -1.0f, 1.0f);
  std::vector<float> r = R.to_vector();
  out.backward(R);

  double worst = 0.0;
  for (size_t i = 0; i < vars.size(); ++i) {
    if (!vars[i].requires_grad()) continue;
    INFO("op " << name << ", input " << i << " " << vars[i].shape().str());
    REQUIRE(vars[i].grad().defined());
    std::vector<float> analytic = vars[i].grad().to_vector();
    float* x = vars[i].mutable_value().f32();
    NoGradGuard no_grad;
    for (int64_t j : sample_indices(vars[i].value().numel(), 48)) {
      const float x0 = x[j];
      x[j] = x0 + c.fd_eps;
      const double lp = weighted_sum(c.fn(vars).value(), r);
      x[j] = x0 - c.fd_eps;
      const double lm = weighted_sum(c.fn(vars).value(), r);
      x[j] = x0;
      const double numeric = (lp - lm) / (2.0 * c.fd_eps);
      const double a = analytic[j];
      const double err = std::abs(a - numeric);
      const double bound = c.fd_atol + c.fd_rtol * std::max(std::abs(a), std::abs(numeric));
      worst = std::max(worst, err / bound);
      INFO("element " << j << ": analytic " << a << ", numeric " << numeric);
      CHECK(err <= bound);
    }
  }
  std::printf("gradcheck %-14s worst error / tolerance = %.3f\n", name, worst);
}

namespace {
struct Diff {
  double max_abs = 0.0, max_rel = 0.0;
  bool ok = true;
};
Diff compare(const Tensor& cpu, const Tensor& gpu, float rtol, float atol) {
  std::vector<float> a = cpu.to_vector(), b = gpu.to_vector();
  Diff d;
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const double e = std::abs(double(a[i]) - double(b[i]));
    const double scale = std::max(std::abs(double(a[i])), std::abs(double(b[i])));
    d.max_abs = std::max(d.max_abs, e);
    if (scale > 0) d.max_rel = std::max(d.max_rel, e / scale);
    if (!(e <= atol + rtol * scale)) d.ok = false;
  }
  return d;
}
}  // namespace

void run_parity(const char* name, const OpCase& c) {
  std::vector<Var> cpu_vars = make_vars(c, Device::CPU);
  std::vector<Var> gpu_vars = make_vars(c, Device::CUDA);
  Var cpu_out = c.fn(cpu_vars);
  Var gpu_out = c.fn(gpu_vars);
  REQUIRE(gpu_out.device() == Device::CUDA);
  REQUIRE(cpu_out.shape() == gpu_out.shape());
  Tensor R = random_tensor(cpu_out.shape(), 777, -1.0f, 1.0f);
  cpu_out.backward(R);
  gpu_out.backward(R.to(Device::CUDA));

  INFO("op " << name << ": tolerance rtol " << c.gpu_rtol << " atol " << c.gpu_atol << " ("
             << c.gpu_why << ")");
  Diff d = compare(cpu_out.value(), gpu_out.value(), c.gpu_rtol, c.gpu_atol);
  std::printf("cuda-parity %-14s forward        max abs %.3e  max rel %.3e\n", name, d.max_abs,
              d.max_rel);
  CHECK(d.ok);
  for (size_t i = 0; i < cpu_vars.size(); ++i) {
    if (!cpu_vars[i].requires_grad()) continue;
    REQUIRE(gpu_vars[i].grad().defined());
    Diff g = compare(cpu_vars[i].grad(), gpu_vars[i].grad(), c.gpu_rtol, c.gpu_atol);
    std::printf("cuda-parity %-14s grad input %zu   max abs %.3e  max rel %.3e\n", name, i,
                g.max_abs, g.max_rel);
    INFO("gradient of input " << i);
    CHECK(g.ok);
  }
}

TEST_CASE("every op in NFS_OP_LIST has a test case", "[op][coverage]") {
  std::vector<std::string> missing;
#define NFS_CHECK_COVERED(op) \
  if (!registry().count(#op)) missing.push_back(#op);
  NFS_OP_LIST(NFS_CHECK_COVERED)
#undef NFS_CHECK_COVERED
  for (const auto& m : missing) std::printf("op without a test case: %s\n", m.c_str());
  CHECK(missing.empty());
}

}  // namespace nfs::test
