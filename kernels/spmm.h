// Sparse (CSR) times dense: y[b] = S · x[b] for every batch entry b, with one S shared by the
// batch. S is rows x cols (int32 indptr [rows + 1], indices [nnz], float values [nnz]);
// x is [batch, cols, C] and y is [batch, rows, C], both row-major.
//
// spmm_forward: writes y (overwrites).
// There is no separate backward kernel: for y = S x, dx = Sᵀ dy is the same call with the
// transpose of S (nn/sparse.h caches it), and it overwrites dx.
// CUDA: cuSPARSE SpMM (generic API, row-major dense operands), one call per batch entry; its
// scratch buffer (spmm_workspace_bytes, asked with the same arguments) comes from the caller.
#pragma once
#include <cstddef>
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
struct CsrView {  // device or host pointers of one CSR matrix
  int64_t rows = 0, cols = 0, nnz = 0;
  const int32_t* indptr = nullptr;
  const int32_t* indices = nullptr;
  const float* values = nullptr;
};
}  // namespace nfs

namespace nfs::cpu {
void spmm_forward(float* y, const CsrView& s, const float* x, int64_t batch, int64_t channels);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
size_t spmm_workspace_bytes(float* y, const CsrView& s, const float* x, int64_t batch,
                            int64_t channels);
void spmm_forward(float* y, const CsrView& s, const float* x, int64_t batch, int64_t channels,
                  void* workspace, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
