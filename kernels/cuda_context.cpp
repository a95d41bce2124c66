#include "kernels/cuda_context.h"

#if NFS_WITH_CUDA
#include <cublas_v2.h>
#include <cusparse.h>

#include <mutex>

#include "kernels/cuda_check.h"

namespace nfs::cuda {

void throw_cuda_error(const char* what, const char* file, int line, const std::string& msg) {
  throw std::runtime_error(std::string("CUDA error: ") + msg + " (" + what + " at " + file + ":" +
                           std::to_string(line) + ")");
}

const char* cublas_status_name(int s) {
  switch (s) {
    case CUBLAS_STATUS_NOT_INITIALIZED: return "cuBLAS not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "cuBLAS allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE: return "cuBLAS invalid value";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "cuBLAS architecture mismatch";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "cuBLAS execution failed";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "cuBLAS internal error";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "cuBLAS not supported";
    default: return "cuBLAS error";
  }
}

const char* cusparse_status_name(int s) {
  return cusparseGetErrorString(static_cast<cusparseStatus_t>(s));
}

namespace {
struct Context {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  cusparseHandle_t cusparse = nullptr;
};
Context& context() {
  static Context ctx;
  static std::once_flag once;
  std::call_once(once, [] {
    CUDA_CHECK(cudaStreamCreateWithFlags(&ctx.stream, cudaStreamNonBlocking));
    CUBLAS_CHECK(cublasCreate(&ctx.cublas));
    CUBLAS_CHECK(cublasSetStream(ctx.cublas, ctx.stream));
    CUSPARSE_CHECK(cusparseCreate(&ctx.cusparse));
    CUSPARSE_CHECK(cusparseSetStream(ctx.cusparse, ctx.stream));
  });
  return ctx;
}
}  // namespace

cudaStream_t stream() { return context().stream; }
cublasContext* cublas() { return context().cublas; }
cusparseContext* cusparse() { return context().cusparse; }
void synchronize() { CUDA_CHECK(cudaStreamSynchronize(stream())); }

}  // namespace nfs::cuda
#endif

namespace nfs {
bool cuda_available() {
#if NFS_WITH_CUDA
  static const bool available = [] {
    int n = 0;
    return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
  }();
  return available;
#else
  return false;
#endif
}
}  // namespace nfs
