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

NFS_OP_CASE(gn_mlp) {
  // Three GroupNorms (2 groups of 4 channels) with two hidden layers and a 3-channel output,
  // on two meshes of 6 vertices: statistics per mesh.
  OpCase c;
  const int64_t H = 8;
  c.inputs = {random_tensor({2, 6, H}, 71, -2.0f, 2.0f)};
  for (int i = 0; i < 3; ++i) {
    c.inputs.push_back(random_tensor({H}, 72 + i, 0.5f, 1.5f));   // gamma
    c.inputs.push_back(random_tensor({H}, 75 + i, -0.2f, 0.2f));  // beta
  }
  c.inputs.push_back(random_tensor({H, H}, 78));
  c.inputs.push_back(random_tensor({H, H}, 79));
  c.inputs.push_back(random_tensor({3, H}, 80));
  c.inputs.push_back(random_tensor({3}, 81));
  c.fn = [](const std::vector<Var>& v) {
    return gn_mlp(v[0], {v[1], v[3], v[5]}, {v[2], v[4], v[6]}, {v[7], v[8]}, v[9], v[10], 2);
  };
  c.fd_eps = 1e-3f;
  c.gpu_rtol = 1e-3f;
  c.gpu_atol = 1e-4f;
  c.gpu_why = "statistics from atomically summed doubles, normalization of near-cancelling sums";
  return c;
}

TEST_CASE("gn_mlp equals GroupNorm, ReLU and Linear composed, forward and gradients", "[op][cpu]") {
  const int64_t H = 8;
  std::vector<Var> fused_in, plain_in;
  std::vector<Tensor> values = {random_tensor({3, 7, H}, 91, -2.0f, 2.0f), random_tensor({H}, 92, 0.5f, 1.5f),
                                random_tensor({H}, 93, -0.2f, 0.2f),       random_tensor({H}, 94, 0.5f, 1.5f),
                                random_tensor({H}, 95, -0.2f, 0.2f),       random_tensor({H, H}, 96),
                                random_tensor({3, H}, 97),                 random_tensor({3}, 98)};
  for (const Tensor& t : values) {
    fused_in.emplace_back(t.clone(), true);
    plain_in.emplace_back(t.clone(), true);
  }
  auto& f = fused_in;
  auto& p = plain_in;
  Var yf = gn_mlp(f[0], {f[1], f[3]}, {f[2], f[4]}, {f[5]}, f[6], f[7], 4);
  Var h = relu(group_norm(p[0], p[1], p[2], 4));
  h = relu(group_norm(linear(h, p[5]), p[3], p[4], 4));
  Var yp = linear(h, p[6], p[7]);
  std::vector<float> a = yf.value().to_vector(), b = yp.value().to_vector();
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == Approx(b[i]).margin(1e-5));
  Tensor seed = random_tensor(yf.shape(), 99);
  yf.backward(seed);
  yp.backward(seed);
  for (size_t k = 0; k < values.size(); ++k) {
    INFO("input " << k);
    std::vector<float> ga = f[k].grad().to_vector(), gb = p[k].grad().to_vector();
    for (size_t i = 0; i < ga.size(); ++i) CHECK(ga[i] == Approx(gb[i]).margin(1e-4));
  }
}

namespace {
// gn_mlp's inputs for h0 [B, V, H], three GroupNorms, two hidden H×H layers and N outputs, in the
// order gn_mlp's test cases pass them: h0, (γ, β) × 3, W1, W2, W_out, b_out; seeds from `seed`.
std::vector<Tensor> gn_mlp_inputs(int64_t B, int64_t V, int64_t H, int64_t N, uint64_t seed) {
  std::vector<Tensor> in = {random_tensor({B, V, H}, seed, -2.0f, 2.0f)};
  for (uint64_t i = 0; i < 3; ++i) {
    in.push_back(random_tensor({H}, seed + 1 + i, 0.5f, 1.5f));
    in.push_back(random_tensor({H}, seed + 4 + i, -0.2f, 0.2f));
  }
  in.push_back(random_tensor({H, H}, seed + 7));
  in.push_back(random_tensor({H, H}, seed + 8));
  in.push_back(random_tensor({N, H}, seed + 9));
  in.push_back(random_tensor({N}, seed + 10));
  return in;
}
}  // namespace

TEST_CASE("gn_mlp on CUDA matches the CPU across tiles, a K tail and many blocks", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  // V = 300 rows per mesh and H = 80 channels: several 64 x 64 tiles, a K step that does not
  // divide 80, and cross-block atomics in the statistics (the small parity case fits one tile).
  const int64_t B = 2, V = 300, H = 80, N = 3;
  const std::vector<Tensor> in = gn_mlp_inputs(B, V, H, N, 91);
  const Tensor gy = random_tensor({B, V, N}, 102);
  std::vector<float> out[2];
  std::vector<std::vector<float>> grads[2];
  for (int d = 0; d < 2; ++d) {
    const Device dev = d == 0 ? Device::CPU : Device::CUDA;
    std::vector<Var> v;
    for (const Tensor& t : in) v.emplace_back(t.to(dev).clone(), true);
    Var y = gn_mlp(v[0], {v[1], v[3], v[5]}, {v[2], v[4], v[6]}, {v[7], v[8]}, v[9], v[10], 8);
    y.backward(gy.to(dev));
    out[d] = y.value().to_vector();
    for (const Var& x : v) grads[d].push_back(x.grad().to_vector());
  }
  CHECK(test::scaled_max_error(out[0], out[1]) < 1e-4);
  for (size_t i = 0; i < grads[0].size(); ++i) {
    INFO("gradient of input " << i);
    CHECK(test::scaled_max_error(grads[0][i], grads[1][i]) < 1e-3);
  }
}

TEST_CASE("gn_mlp's GroupNorm parameter gradients on CUDA match the CPU over many row chunks", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  // B·V = 12000 rows: three chunks of gn_param_grads_kernel adding dγ, dβ atomically.
  const int64_t B = 2, V = 6000, H = 40, N = 3;
  const std::vector<Tensor> in = gn_mlp_inputs(B, V, H, N, 111);
  const Tensor gy = random_tensor({B, V, N}, 122);
  std::vector<std::vector<float>> grads[2];
  for (int d = 0; d < 2; ++d) {
    const Device dev = d == 0 ? Device::CPU : Device::CUDA;
    std::vector<Var> v;
    for (const Tensor& t : in) v.emplace_back(t.to(dev).clone(), true);
    gn_mlp(v[0], {v[1], v[3], v[5]}, {v[2], v[4], v[6]}, {v[7], v[8]}, v[9], v[10], 8).backward(gy.to(dev));
    for (const Var& x : v) grads[d].push_back(x.grad().to_vector());
  }
  for (size_t i = 1; i <= 6; ++i) {  // γ and β of the three GroupNorms
    INFO("gradient of input " << i);
    CHECK(test::scaled_max_error(grads[0][i], grads[1][i]) < 1e-3);
  }
}
