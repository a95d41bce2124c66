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
// Below this many multiply-adds a product runs as one task (thread start-up would dominate).
constexpr int64_t kParallelFlops = int64_t{1} << 22;

// C rows [m0, m0 + m) of batch entry i.
void gemm_rows(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta,
               int64_t m0, int64_t m) {
  // op(A) rows m0.. are rows of A, or columns of A when it is stored transposed ([K, M]).
  const float* a0 = s.trans_a ? a + m0 : a + m0 * s.k;
  MapConst A(a0, s.trans_a ? s.k : m, s.trans_a ? m : s.k, Stride(s.trans_a ? s.m : s.k));
  MapConst B(b, s.trans_b ? s.n : s.k, s.trans_b ? s.k : s.n, Stride(s.trans_b ? s.k : s.n));
  MapC C(c + m0 * s.n, m, s.n, Stride(s.n));
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
  const bool split = parallel && s.m >= 2 * kRowsPerTask;
  const int64_t per_entry = split ? (s.m + kRowsPerTask - 1) / kRowsPerTask : 1;
  auto run = [&](int64_t i, int64_t part) {
    const int64_t m0 = part * kRowsPerTask;
    gemm_rows(c + i * s.stride_c, a + i * s.stride_a, b + i * s.stride_b, s, alpha, beta, m0,
              split ? std::min(kRowsPerTask, s.m - m0) : s.m);
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
