#include <cublas_v2.h>

#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/matmul.h"

namespace nfs::cuda {

namespace {
bool g_tf32 = false;
}

void set_tf32(bool enabled) {
  g_tf32 = enabled;
  CUBLAS_CHECK(cublasSetMathMode(cublas(), enabled ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
}

// Row-major C = op(A) op(B) is column-major Cᵀ = op(B)ᵀ op(A)ᵀ, and a row-major [r, c] array
// read column-major is its transpose: so swap the operands and keep each one's op flag.
void gemm(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta,
          cudaStream_t stream) {
  if (s.batch == 0 || s.m == 0 || s.n == 0) return;
  cublasHandle_t h = cublas();
  CUBLAS_CHECK(cublasSetStream(h, stream));
  const cublasOperation_t op_b = s.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = s.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int ldb = static_cast<int>(s.trans_b ? s.k : s.n);
  const int lda = static_cast<int>(s.trans_a ? s.m : s.k);
  const int ldc = static_cast<int>(s.n);
  if (s.k == 0) {  // empty inner dimension: C = beta·C (cuBLAS wants k >= 1)
    for (int64_t i = 0; i < s.batch; ++i) {
      float* ci = c + i * s.stride_c;
      if (beta == 0.0f) CUDA_CHECK(cudaMemsetAsync(ci, 0, sizeof(float) * s.m * s.n, stream));
      else CUBLAS_CHECK(cublasSscal(h, (int)(s.m * s.n), &beta, ci, 1));
    }
    return;
  }
  if (s.batch == 1) {
    CUBLAS_CHECK(cublasSgemm(h, op_b, op_a, (int)s.n, (int)s.m, (int)s.k, &alpha, b, ldb, a, lda,
                             &beta, c, ldc));
  } else {
    CUBLAS_CHECK(cublasSgemmStridedBatched(h, op_b, op_a, (int)s.n, (int)s.m, (int)s.k, &alpha, b,
                                           ldb, s.stride_b, a, lda, s.stride_a, &beta, c, ldc,
                                           s.stride_c, (int)s.batch));
  }
}

}  // namespace nfs::cuda
