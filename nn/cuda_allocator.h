// Caching allocator for device memory: freed blocks go back to a per-size free list instead of
// cudaFree, because cudaMalloc/cudaFree synchronize the device and cost tens of microseconds.
// Sizes are rounded up (512 B granularity below 1 MiB, 2 MiB above) so blocks get reused.
// On an out-of-memory error every cached block is released and the allocation retried once.
#pragma once
#include <cstddef>

namespace nfs::cuda {
void* device_alloc(size_t bytes);
void device_free(void* ptr, size_t bytes);
// Returns every cached (free) block to the driver.
void release_cached();
struct AllocatorStats {
  size_t in_use = 0;       // bytes handed out now
  size_t cached = 0;       // bytes held in free lists
  size_t peak_in_use = 0;  // high-water mark of in_use
};
AllocatorStats allocator_stats();
// Restarts the high-water mark at what is in use now (to measure one phase of a program).
void reset_peak();
}  // namespace nfs::cuda
