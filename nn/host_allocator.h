// Caching allocator for host tensors. Large allocations from malloc are fresh mmaps whose pages
// fault in (and are zeroed by the kernel) on first touch; a training step allocates and frees
// hundreds of MB of activations, so freed blocks are kept in per-size free lists for reuse.
// Same rounding as the device allocator; at most `kMaxCachedBytes` are kept.
#pragma once
#include <cstddef>

namespace nfs::host {
void* alloc(size_t bytes);
void free(void* ptr, size_t bytes);
void release_cached();
constexpr size_t kMaxCachedBytes = size_t(4) << 30;
}  // namespace nfs::host
