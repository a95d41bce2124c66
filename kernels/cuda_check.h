// Error checks for CUDA runtime, cuBLAS and cuSPARSE calls: each throws std::runtime_error with
// the file, the line and the library's own message, so a CLI can print one line and exit.
#pragma once
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace nfs::cuda {
[[noreturn]] void throw_cuda_error(const char* what, const char* file, int line, const std::string& msg);
const char* cublas_status_name(int status);
const char* cusparse_status_name(int status);
}  // namespace nfs::cuda

#define CUDA_CHECK(expr)                                                                     \
  do {                                                                                       \
    cudaError_t nfs_err_ = (expr);                                                           \
    if (nfs_err_ != cudaSuccess)                                                             \
      ::nfs::cuda::throw_cuda_error(#expr, __FILE__, __LINE__, cudaGetErrorString(nfs_err_)); \
  } while (0)

// After a kernel launch: catches bad launch configurations without synchronizing.
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())

#define CUBLAS_CHECK(expr)                                                                   \
  do {                                                                                       \
    int nfs_st_ = static_cast<int>(expr);                                                    \
    if (nfs_st_ != 0)                                                                        \
      ::nfs::cuda::throw_cuda_error(#expr, __FILE__, __LINE__,                               \
                                    ::nfs::cuda::cublas_status_name(nfs_st_));               \
  } while (0)

#define CUSPARSE_CHECK(expr)                                                                 \
  do {                                                                                       \
    int nfs_st_ = static_cast<int>(expr);                                                    \
    if (nfs_st_ != 0)                                                                        \
      ::nfs::cuda::throw_cuda_error(#expr, __FILE__, __LINE__,                               \
                                    ::nfs::cuda::cusparse_status_name(nfs_st_));             \
  } while (0)
#endif
