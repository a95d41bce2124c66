// Batched GEMM on row-major matrices: C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b], b < batch.
// op(A) is M×K (A stored [M,K], or [K,M] when trans_a), op(B) is K×N (B stored [K,N], or [N,K]
// when trans_b), C is [M,N]. A batch stride of 0 shares that operand across the batch.
// beta = 0 overwrites C; beta = 1 accumulates into it (used for parameter gradients).
// CPU: Eigen. CUDA: cublasSgemmStridedBatched in FP32 (no TF32 unless enabled at run time).
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
struct GemmShape {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  int64_t stride_a = 0, stride_b = 0, stride_c = 0;  // elements between batch entries
};
}  // namespace nfs

namespace nfs::cpu {
void gemm(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta);
}

#if NFS_WITH_CUDA
namespace nfs::cuda {
void gemm(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta,
          cudaStream_t stream);
// TF32 tensor cores for FP32 GEMMs (off by default; the engine turns it on only where the
// output stays within 1e-3 relative of the FP32 path).
void set_tf32(bool enabled);
}  // namespace nfs::cuda
#endif
