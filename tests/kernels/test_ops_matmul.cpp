// Cases for the dense products: matmul (all transpose and batch combinations), linear, reshape.
#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(matmul) {
  // Batched A against a shared B with both transposes, then a shared A: exercises the
  // batch-reduced gradient of a 2-D operand.
  OpCase c;
  c.inputs = {random_tensor({3, 5, 4}, 1), random_tensor({6, 5}, 2), random_tensor({4, 4}, 3)};
  c.fn = [](const std::vector<Var>& v) {
    Var ab = matmul(v[0], v[1], /*trans_a=*/true, /*trans_b=*/true);  // [3, 4, 6]
    Var ca = matmul(v[2], ab);                                         // shared A: [3, 4, 6]
    return matmul(ca, v[1]);                                           // shared B: [3, 4, 5]
  };
  c.gpu_why = "cuBLAS sums K terms in another order than Eigen";
  return c;
}

TEST_CASE("matmul matches a hand-computed product", "[op][cpu]") {
  Var a(Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6}));
  Var b(Tensor::from_vector({3, 2}, {7, 8, 9, 10, 11, 12}));
  std::vector<float> c = matmul(a, b).value().to_vector();
  CHECK(c == std::vector<float>{58, 64, 139, 154});
  std::vector<float> ct = matmul(b, a, true, true).value().to_vector();  // (AB)ᵀ
  CHECK(ct == std::vector<float>{58, 139, 64, 154});
}

NFS_OP_CASE(linear) {
  OpCase c;
  c.inputs = {random_tensor({2, 7, 5}, 4), random_tensor({6, 5}, 5), random_tensor({6}, 6)};
  c.fn = [](const std::vector<Var>& v) { return linear(v[0], v[1], v[2]); };
  c.gpu_why = "cuBLAS summation order; bias reduction by blocks";
  return c;
}

NFS_OP_CASE(reshape) {
  OpCase c;
  c.inputs = {random_tensor({2, 3, 4}, 7), random_tensor({6, 4}, 8)};
  // The reshaped view feeds a product so the gradient path goes through the view.
  c.fn = [](const std::vector<Var>& v) { return matmul(reshape(v[0], {6, 4}), v[1], false, true); };
  return c;
}

TEST_CASE("linear's bias gradient on CUDA matches the CPU when the rows span many blocks", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  // 2 × 9000 rows: five row chunks of bias_backward_kernel adding atomically, and 70 channels:
  // three channel blocks, the last one partly empty.
  const Tensor x = random_tensor({2, 9000, 5}, 31), w = random_tensor({70, 5}, 32), b = random_tensor({70}, 33);
  const Tensor gy = random_tensor({2, 9000, 70}, 34);
  std::vector<std::vector<float>> grads[2];
  for (int d = 0; d < 2; ++d) {
    const Device dev = d == 0 ? Device::CPU : Device::CUDA;
    Var vx(x.to(dev).clone(), true), vw(w.to(dev).clone(), true), vb(b.to(dev).clone(), true);
    linear(vx, vw, vb).backward(gy.to(dev));
    grads[d] = {vb.grad().to_vector(), vw.grad().to_vector()};
  }
  CHECK(test::scaled_max_error(grads[0][0], grads[1][0]) < 1e-4);
  CHECK(test::scaled_max_error(grads[0][1], grads[1][1]) < 1e-4);
}
