// Runs an op's CPU kernel call or its CUDA kernel call, by the device its tensors live on.
// In a CPU-only build the CUDA branch is compiled out and CUDA tensors cannot exist.
#pragma once
#include <stdexcept>

#include "kernels/cuda_context.h"
#include "nn/tensor.h"

#if NFS_WITH_CUDA
#define NFS_DISPATCH(device, cpu_call, cuda_call) \
  do {                                            \
    if ((device) == ::nfs::Device::CUDA) {        \
      cuda_call;                                  \
    } else {                                      \
      cpu_call;                                   \
    }                                             \
  } while (0)
#else
#define NFS_DISPATCH(device, cpu_call, cuda_call)                                      \
  do {                                                                                 \
    if ((device) == ::nfs::Device::CUDA) throw std::logic_error("built without CUDA"); \
    cpu_call;                                                                          \
  } while (0)
#endif
