#include <cusparse.h>

#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/spmm.h"

namespace nfs::cuda {

namespace {

// The descriptors of one product y[b] = S x[b] (row-major dense operands, ld = channels).
// Creating them is host-only work: no allocation on the device, no synchronization.
struct SpmmDescriptors {
  cusparseConstSpMatDescr_t a = nullptr;
  cusparseConstDnMatDescr_t x = nullptr;
  cusparseDnMatDescr_t y = nullptr;

  SpmmDescriptors(float* y_ptr, const CsrView& s, const float* x_ptr, int64_t channels) {
    CUSPARSE_CHECK(cusparseCreateConstCsr(&a, s.rows, s.cols, s.nnz, s.indptr, s.indices, s.values,
                                          CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I,
                                          CUSPARSE_INDEX_BASE_ZERO, CUDA_R_32F));
    CUSPARSE_CHECK(cusparseCreateConstDnMat(&x, s.cols, channels, channels, x_ptr, CUDA_R_32F,
                                            CUSPARSE_ORDER_ROW));
    CUSPARSE_CHECK(
        cusparseCreateDnMat(&y, s.rows, channels, channels, y_ptr, CUDA_R_32F, CUSPARSE_ORDER_ROW));
  }
  ~SpmmDescriptors() {
    if (y) cusparseDestroyDnMat(y);
    if (x) cusparseDestroyDnMat(x);
    if (a) cusparseDestroySpMat(a);
  }
  SpmmDescriptors(const SpmmDescriptors&) = delete;
  SpmmDescriptors& operator=(const SpmmDescriptors&) = delete;
};

constexpr cusparseSpMMAlg_t kAlg = CUSPARSE_SPMM_ALG_DEFAULT;

// Nothing for cuSPARSE to do: y is empty, or S has no entries (y = 0).
bool trivial(const CsrView& s, int64_t batch, int64_t channels) {
  return batch == 0 || channels == 0 || s.rows == 0 || s.cols == 0 || s.nnz == 0;
}

}  // namespace

size_t spmm_workspace_bytes(float* y, const CsrView& s, const float* x, int64_t batch,
                            int64_t channels) {
  if (trivial(s, batch, channels)) return 0;
  cusparseHandle_t h = cusparse();
  SpmmDescriptors d(y, s, x, channels);
  const float alpha = 1.0f, beta = 0.0f;
  size_t bytes = 0;
  CUSPARSE_CHECK(cusparseSpMM_bufferSize(h, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                         CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, d.a, d.x, &beta,
                                         d.y, CUDA_R_32F, kAlg, &bytes));
  return bytes;
}

void spmm_forward(float* y, const CsrView& s, const float* x, int64_t batch, int64_t channels,
                  void* workspace, cudaStream_t stream) {
  if (batch == 0 || channels == 0 || s.rows == 0) return;
  if (trivial(s, batch, channels)) {
    CUDA_CHECK(cudaMemsetAsync(y, 0, sizeof(float) * batch * s.rows * channels, stream));
    return;
  }
  cusparseHandle_t h = cusparse();
  CUSPARSE_CHECK(cusparseSetStream(h, stream));
  const float alpha = 1.0f, beta = 0.0f;
  // One product per batch entry: the sizes are the same, so one workspace serves them all.
  for (int64_t b = 0; b < batch; ++b) {
    SpmmDescriptors d(y + b * s.rows * channels, s, x + b * s.cols * channels, channels);
    CUSPARSE_CHECK(cusparseSpMM(h, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, d.a, d.x, &beta, d.y,
                                CUDA_R_32F, kAlg, workspace));
  }
}

}  // namespace nfs::cuda
