#include "nn/cuda_allocator.h"

#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>

#include <map>
#include <mutex>
#include <vector>

#include "kernels/cuda_check.h"

namespace nfs::cuda {
namespace {

size_t round_size(size_t bytes) {
  if (bytes == 0) bytes = 1;
  const size_t small = 512, large = size_t(2) << 20;
  const size_t g = bytes < (size_t(1) << 20) ? small : large;
  return (bytes + g - 1) / g * g;
}

struct Cache {
  std::mutex mu;
  std::map<size_t, std::vector<void*>> free_lists;  // rounded size -> free blocks
  AllocatorStats stats;
};
Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: blocks may be freed during static teardown
  return *c;
}

void release_locked(Cache& c) {
  for (auto& [size, blocks] : c.free_lists)
    for (void* p : blocks) cudaFree(p);
  c.free_lists.clear();
  c.stats.cached = 0;
}

}  // namespace

void* device_alloc(size_t bytes) {
  Cache& c = cache();
  const size_t size = round_size(bytes);
  std::lock_guard<std::mutex> lock(c.mu);
  auto it = c.free_lists.find(size);
  void* p = nullptr;
  if (it != c.free_lists.end() && !it->second.empty()) {
    p = it->second.back();
    it->second.pop_back();
    c.stats.cached -= size;
  } else {
    cudaError_t err = cudaMalloc(&p, size);
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // clear the sticky-free error state before retrying
      release_locked(c);
      err = cudaMalloc(&p, size);
    }
    if (err != cudaSuccess)
      throw std::runtime_error("GPU out of memory: could not allocate " +
                               std::to_string(size >> 20) + " MiB (" + cudaGetErrorString(err) +
                               "); try --device cpu or a smaller batch");
  }
  c.stats.in_use += size;
  if (c.stats.in_use > c.stats.peak_in_use) c.stats.peak_in_use = c.stats.in_use;
  return p;
}

void device_free(void* ptr, size_t bytes) {
  if (!ptr) return;
  Cache& c = cache();
  const size_t size = round_size(bytes);
  std::lock_guard<std::mutex> lock(c.mu);
  c.free_lists[size].push_back(ptr);
  c.stats.in_use -= size;
  c.stats.cached += size;
}

void release_cached() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  release_locked(c);
}

AllocatorStats allocator_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.stats;
}

void reset_peak() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.stats.peak_in_use = c.stats.in_use;
}

}  // namespace nfs::cuda
#endif
