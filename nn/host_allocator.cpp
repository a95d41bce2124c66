#include "nn/host_allocator.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace nfs::host {
namespace {

size_t round_size(size_t bytes) {
  if (bytes == 0) bytes = 1;
  const size_t g = bytes < (size_t(1) << 20) ? 512 : (size_t(2) << 20);
  return (bytes + g - 1) / g * g;
}

struct Cache {
  std::mutex mu;
  std::map<size_t, std::vector<void*>> free_lists;
  size_t cached = 0;
};
Cache& cache() {
  static Cache* c = new Cache();  // outlives static destructors that free tensors
  return *c;
}

}  // namespace

void* alloc(size_t bytes) {
  const size_t size = round_size(bytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    auto it = c.free_lists.find(size);
    if (it != c.free_lists.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.cached -= size;
      return p;
    }
  }
  void* p = std::aligned_alloc(64, size);
  if (!p) {
    release_cached();
    p = std::aligned_alloc(64, size);
    if (!p) throw std::bad_alloc();
  }
  return p;
}

void free(void* ptr, size_t bytes) {
  if (!ptr) return;
  const size_t size = round_size(bytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.cached + size > kMaxCachedBytes) {
    std::free(ptr);
    return;
  }
  c.free_lists[size].push_back(ptr);
  c.cached += size;
}

void release_cached() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  for (auto& [size, blocks] : c.free_lists)
    for (void* p : blocks) std::free(p);
  c.free_lists.clear();
  c.cached = 0;
}

}  // namespace nfs::host
