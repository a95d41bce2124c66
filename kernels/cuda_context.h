// The process-wide CUDA state every op uses: one stream, one cuBLAS and one cuSPARSE handle,
// created on first use. All ops run on this stream, so ordering between ops needs no syncs.
#pragma once
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>

struct cublasContext;
struct cusparseContext;

namespace nfs::cuda {
cudaStream_t stream();
cublasContext* cublas();
cusparseContext* cusparse();
// Host waits for everything queued on stream().
void synchronize();
// Threads per block for simple elementwise kernels, and the grid that covers n items.
constexpr int kBlock = 256;
inline unsigned grid_for(long long n) {
  long long g = (n + kBlock - 1) / kBlock;
  return static_cast<unsigned>(g < 1 ? 1 : (g > 65535LL * 32 ? 65535LL * 32 : g));
}
}  // namespace nfs::cuda
#endif

namespace nfs {
// True when the engine was built with CUDA and a device is present (checked once).
bool cuda_available();
}  // namespace nfs
