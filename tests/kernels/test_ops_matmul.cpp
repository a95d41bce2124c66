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
