#include <Eigen/Core>

#include "kernels/cpu_parallel.h"
#include "kernels/matmul.h"

namespace nfs::cpu {

namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;
using MapC = Eigen::Map<RowMat, 0, Stride>;
using MapConst = Eigen::Map<const RowMat, 0, Stride>;

// Rows of C per task: fixed, so the rounding does not depend on the thread count; large enough
// that re-packing op(B) per task costs < 1 % (K·N against rows·K·N).
constexpr int64_t kRowsPerTask = 256;
// Columns of C per task for short, wide products (the encoder's spectral projection [K, V]·[V, C]
// and im2col convolutions [out, K]·[K, pixels] have too few rows to split): fixed as well.
constexpr int64_t kColsPerTask = 64;
// Below this many multiply-adds a product runs as one task (thread start-up would dominate).
constexpr int64_t kParallelFlops = int64_t{1} << 22;

// The block C[m0 : m0 + m, n0 : n0 + n] of batch entry i, over the whole inner dimension.
void gemm_block(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta,
                int64_t m0, int64_t m, int64_t n0, int64_t n) {
  // op(A) rows m0.. are rows of A, or columns of A when it is stored transposed ([K, M]);
  // op(B) columns n0.. are columns of B, or rows of B when it is stored transposed ([N, K]).
  const float* a0 = s.trans_a ? a + m0 : a + m0 * s.k;
  const float* b0 = s.trans_b ? b + n0 * s.k : b + n0;
  MapConst A(a0, s.trans_a ? s.k : m, s.trans_a ? m : s.k, Stride(s.trans_a ? s.m : s.k));
  MapConst B(b0, s.trans_b ? n : s.k, s.trans_b ? s.k : n, Stride(s.trans_b ? s.k : s.n));
  MapC C(c + m0 * s.n + n0, m, n, Stride(s.n));
  if (beta == 0.0f)
    C.setZero();
  else if (beta != 1.0f)
    C *= beta;
  if (s.k == 0) return;
  if (!s.trans_a && !s.trans_b) C.noalias() += alpha * A * B;
  else if (s.trans_a && !s.trans_b) C.noalias() += alpha * A.transpose() * B;
  else if (!s.trans_a && s.trans_b) C.noalias() += alpha * A * B.transpose();
  else C.noalias() += alpha * A.transpose() * B.transpose();
}
}  // namespace

void gemm(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta) {
  const bool parallel = s.m * s.n * s.k * s.batch >= kParallelFlops;
  const bool split_rows = parallel && s.m >= 2 * kRowsPerTask;
  const bool split_cols = parallel && !split_rows && s.n >= 2 * kColsPerTask;
  const int64_t per_entry = split_rows   ? (s.m + kRowsPerTask - 1) / kRowsPerTask
                            : split_cols ? (s.n + kColsPerTask - 1) / kColsPerTask
                                         : 1;
  auto run = [&](int64_t i, int64_t part) {
    float* ci = c + i * s.stride_c;
    const float* ai = a + i * s.stride_a;
    const float* bi = b + i * s.stride_b;
    if (split_rows) {
      const int64_t m0 = part * kRowsPerTask;
      gemm_block(ci, ai, bi, s, alpha, beta, m0, std::min(kRowsPerTask, s.m - m0), 0, s.n);
    } else if (split_cols) {
      const int64_t n0 = part * kColsPerTask;
      gemm_block(ci, ai, bi, s, alpha, beta, 0, s.m, n0, std::min(kColsPerTask, s.n - n0));
    } else {
      gemm_block(ci, ai, bi, s, alpha, beta, 0, s.m, 0, s.n);
    }
  };
  // Entries sharing one C (stride_c = 0, parameter gradients) accumulate in order.
  if (!parallel || (s.stride_c == 0 && s.batch > 1)) {
    for (int64_t i = 0; i < s.batch; ++i)
      if (parallel) parallel_chunks(per_entry, [&](int, int64_t p) { run(i, p); });
      else run(i, 0);
    return;
  }
  parallel_chunks(s.batch * per_entry, [&](int, int64_t t) { run(t / per_entry, t % per_entry); });
}

}  // namespace nfs::cpu
