// Cases for spmm and the CsrMatrix it multiplies by: a non-square S on a batch, dense checks,
// the cached transpose, and the structure checks of from_host / from_triplets.
#include <vector>

#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

namespace {
struct Triplets {
  std::vector<int32_t> r, c;
  std::vector<float> v;
};

// A 5 x 7 pattern with an empty row (3), an empty column (6) and a duplicate entry (1, 2).
Triplets example() {
  Triplets t;
  t.r = {0, 0, 1, 1, 1, 2, 4, 4, 4, 1};
  t.c = {0, 5, 2, 3, 4, 1, 0, 2, 5, 2};
  t.v = {1.5f, -2.0f, 0.5f, 3.0f, -1.0f, 2.5f, 0.25f, -0.75f, 1.0f, 0.5f};
  return t;
}

// The dense rows x cols matrix of the triplets (duplicates summed).
std::vector<double> dense(const Triplets& t, int64_t rows, int64_t cols) {
  std::vector<double> d(rows * cols, 0.0);
  for (size_t k = 0; k < t.r.size(); ++k) d[t.r[k] * cols + t.c[k]] += t.v[k];
  return d;
}
}  // namespace

NFS_OP_CASE(spmm) {
  OpCase c;
  const Triplets t = example();
  const CsrMatrix S = CsrMatrix::from_triplets(5, 7, t.r, t.c, t.v);
  c.inputs = {random_tensor({2, 7, 3}, 151)};  // batched: [B, cols, C] -> [B, rows, C]
  c.fn = [S](const std::vector<Var>& v) { return spmm(S.to(v[0].device()), v[0]); };
  c.gpu_why = "cuSPARSE SpMM vs. a double loop";
  return c;
}

TEST_CASE("spmm matches the dense product, on [V, C] and on a batch", "[op][cpu]") {
  const Triplets t = example();
  const CsrMatrix S = CsrMatrix::from_triplets(5, 7, t.r, t.c, t.v);
  CHECK(S.nnz() == 9);  // the duplicate became one entry
  const std::vector<double> D = dense(t, 5, 7);
  const int64_t B = 3, C = 4;
  Tensor x = random_tensor({B, 7, C}, 161);
  const std::vector<float> xv = x.to_vector();
  const std::vector<float> y = spmm(S, Var(x)).value().to_vector();
  for (int64_t b = 0; b < B; ++b) {
    // The same product on one batch entry as a [V, C] input.
    Tensor xb = Tensor::from_vector(
        {7, C}, std::vector<float>(xv.begin() + b * 7 * C, xv.begin() + (b + 1) * 7 * C));
    const std::vector<float> y2 = spmm(S, Var(xb)).value().to_vector();
    for (int64_t r = 0; r < 5; ++r)
      for (int64_t c = 0; c < C; ++c) {
        double e = 0.0;
        for (int64_t k = 0; k < 7; ++k) e += D[r * 7 + k] * xv[(b * 7 + k) * C + c];
        CHECK(y[(b * 5 + r) * C + c] == Approx(e).margin(1e-6));
        CHECK(y2[r * C + c] == y[(b * 5 + r) * C + c]);
      }
  }
}

TEST_CASE("CsrMatrix: the cached transpose is the dense transpose", "[op][cpu]") {
  const Triplets t = example();
  const CsrMatrix S = CsrMatrix::from_triplets(5, 7, t.r, t.c, t.v);
  REQUIRE(S.transpose);
  const CsrMatrix& St = *S.transpose;
  CHECK(St.rows == 7);
  CHECK(St.cols == 5);
  const std::vector<double> D = dense(t, 5, 7);
  const std::vector<int32_t> ip = St.indptr.to_int_vector(), ix = St.indices.to_int_vector();
  const std::vector<float> vals = St.values.to_vector();
  std::vector<double> Dt(7 * 5, 0.0);
  for (int r = 0; r < 7; ++r)
    for (int j = ip[r]; j < ip[r + 1]; ++j) {
      if (j > ip[r]) CHECK(ix[j] > ix[j - 1]);  // sorted within the row
      Dt[r * 5 + ix[j]] += vals[j];
    }
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 7; ++c) CHECK(Dt[c * 5 + r] == Approx(D[r * 7 + c]));
}

TEST_CASE("CsrMatrix: malformed structures are rejected with a message", "[op][cpu]") {
  using V = std::vector<int32_t>;
  using F = std::vector<float>;
  // 2 x 3 with entries (0,1), (1,0), (1,2).
  CHECK_NOTHROW(CsrMatrix::from_host(2, 3, V{0, 1, 3}, V{1, 0, 2}, F{1, 2, 3}));
  CHECK_THROWS_AS(CsrMatrix::from_host(2, 3, V{0, 1}, V{1}, F{1}), std::invalid_argument);
  CHECK_THROWS_AS(CsrMatrix::from_host(2, 3, V{1, 1, 3}, V{1, 0, 2}, F{1, 2, 3}),
                  std::invalid_argument);  // indptr[0] != 0
  CHECK_THROWS_AS(CsrMatrix::from_host(2, 3, V{0, 2, 1}, V{1, 0}, F{1, 2}),
                  std::invalid_argument);  // decreasing indptr
  CHECK_THROWS_AS(CsrMatrix::from_host(2, 3, V{0, 1, 3}, V{1, 0, 3}, F{1, 2, 3}),
                  std::invalid_argument);  // column 3 out of range
  CHECK_THROWS_AS(CsrMatrix::from_host(2, 3, V{0, 1, 3}, V{1, 2, 0}, F{1, 2, 3}),
                  std::invalid_argument);  // unsorted row
  CHECK_THROWS_AS(CsrMatrix::from_host(2, 3, V{0, 1, 3}, V{1, 0, 2}, F{1, 2}),
                  std::invalid_argument);  // values count
  CHECK_THROWS_WITH(CsrMatrix::from_host(2, 3, V{0, 1, 3}, V{1, 0, 3}, F{1, 2, 3}),
                    Catch::Contains("column index 3"));
  CHECK_THROWS_AS(CsrMatrix::from_triplets(2, 3, V{0, 2}, V{0, 0}, F{1, 1}),
                  std::invalid_argument);  // row 2 of 2
  CHECK_THROWS_AS(CsrMatrix::from_triplets(2, 3, V{0}, V{0, 1}, F{1}), std::invalid_argument);
}

TEST_CASE("spmm: shape and device checks", "[op][cpu]") {
  const Triplets t = example();
  const CsrMatrix S = CsrMatrix::from_triplets(5, 7, t.r, t.c, t.v);
  CHECK_THROWS_AS(spmm(S, Var(Tensor::zeros({5, 3}))), std::invalid_argument);  // needs 7 rows
  CHECK_THROWS_AS(spmm(S, Var(Tensor::zeros({7}))), std::invalid_argument);
  CHECK_THROWS_AS(spmm(CsrMatrix(), Var(Tensor::zeros({7, 2}))), std::invalid_argument);
  // A matrix without a cached transpose works forward, but cannot be differentiated through.
  const CsrMatrix St = *S.transpose;
  CHECK(spmm(St, Var(Tensor::zeros({5, 2}))).shape() == Shape{7, 2});
  CHECK_THROWS_AS(spmm(St, Var(Tensor::zeros({5, 2}), true)), std::invalid_argument);
}

TEST_CASE("spmm on CUDA: a larger random operator, batched", "[op][gpu]") {
  NFS_REQUIRE_GPU();
  // A 3000 x 2000 operator with ~10 entries per row, 4 meshes of 32 channels.
  Triplets t;
  std::vector<float> rv = random_tensor({30000}, 171).to_vector();
  for (int k = 0; k < 30000; ++k) {
    t.r.push_back(k / 10);
    t.c.push_back((k * 7919) % 2000);
    t.v.push_back(rv[k]);
  }
  const CsrMatrix S = CsrMatrix::from_triplets(3000, 2000, t.r, t.c, t.v);
  Tensor x = random_tensor({4, 2000, 32}, 172), g = random_tensor({4, 3000, 32}, 173);
  std::vector<float> out[2], grad[2];
  for (int d = 0; d < 2; ++d) {
    const Device dev = d == 0 ? Device::CPU : Device::CUDA;
    Var X(x.to(dev).clone(), true);
    Var y = spmm(S.to(dev), X);
    y.backward(g.to(dev));
    out[d] = y.value().to_vector();
    grad[d] = X.grad().to_vector();
  }
  for (size_t i = 0; i < out[0].size(); ++i) REQUIRE(out[1][i] == Approx(out[0][i]).margin(1e-5));
  for (size_t i = 0; i < grad[0].size(); ++i)
    REQUIRE(grad[1][i] == Approx(grad[0][i]).margin(1e-5));
}
