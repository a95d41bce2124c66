#include <Eigen/Core>

#include "kernels/matmul.h"

namespace nfs::cpu {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapC = Eigen::Map<RowMat>;
using MapConst = Eigen::Map<const RowMat>;

void gemm(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta) {
  for (int64_t i = 0; i < s.batch; ++i) {
    MapConst A(a + i * s.stride_a, s.trans_a ? s.k : s.m, s.trans_a ? s.m : s.k);
    MapConst B(b + i * s.stride_b, s.trans_b ? s.n : s.k, s.trans_b ? s.k : s.n);
    MapC C(c + i * s.stride_c, s.m, s.n);
    if (beta == 0.0f)
      C.setZero();
    else if (beta != 1.0f)
      C *= beta;
    if (s.k == 0) continue;
    if (!s.trans_a && !s.trans_b) C.noalias() += alpha * A * B;
    else if (s.trans_a && !s.trans_b) C.noalias() += alpha * A.transpose() * B;
    else if (!s.trans_a && s.trans_b) C.noalias() += alpha * A * B.transpose();
    else C.noalias() += alpha * A.transpose() * B.transpose();
  }
}

}  // namespace nfs::cpu
