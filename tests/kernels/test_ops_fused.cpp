// Cases for the fused network ops.
#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(spectral_diffusion) {
  OpCase c;
  const int64_t V = 9, K = 5, C = 4;
  c.inputs = {random_tensor({2, V, C}, 41), random_tensor({C}, 42, 0.05f, 1.0f)};
  Tensor evecs = random_tensor({V, K}, 43);
  Tensor mass_evecs = random_tensor({V, K}, 44);  // any matrix: the op takes MΦ as given
  Tensor evals = random_tensor({K}, 45, 0.0f, 3.0f);
  c.fn = [=](const std::vector<Var>& v) {
    const Device d = v[0].device();
    return spectral_diffusion(v[0], v[1], evecs.to(d), mass_evecs.to(d), evals.to(d));
  };
  c.gpu_why = "cuBLAS summation order over V and K; expf vs std::exp";
  return c;
}

NFS_OP_CASE(localized_linear) {
  // A shared target term and ω (a prepared target) against a batch of three codes.
  OpCase c;
  c.inputs = {random_tensor({1, 6, 5}, 51), random_tensor({1, 6, 4}, 52), random_tensor({3, 4}, 53),
              random_tensor({5, 4}, 54)};
  c.fn = [](const std::vector<Var>& v) { return localized_linear(v[0], v[1], v[2], v[3]); };
  c.gpu_why = "cuBLAS summation order";
  return c;
}

TEST_CASE("localized_linear equals the unfused ω ⊙ z then Linear, shared or per-frame ω", "[op][cpu]") {
  for (int64_t bo : {1, 3}) {
    Var T(random_tensor({3, 6, 5}, 61)), omega(random_tensor({bo, 6, 4}, 62)), z(random_tensor({3, 4}, 63)),
        W(random_tensor({5, 4}, 64));
    std::vector<float> fused = localized_linear(T, omega, z, W).value().to_vector();
    std::vector<float> plain = add(T, linear(mul(omega, reshape(z, {3, 1, 4})), W)).value().to_vector();
    REQUIRE(fused.size() == plain.size());
    for (size_t i = 0; i < fused.size(); ++i) CHECK(fused[i] == Approx(plain[i]).margin(1e-5));
  }
}
