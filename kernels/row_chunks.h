// How a column reduction (bias and GroupNorm parameter gradients) splits its rows over blocks:
// blockIdx.y takes chunk `index` of `chunks`, each at most 8 lanes × kRowsPerLane rows. Plain
// integer arithmetic, so the host tests the split that the kernels use (tests/kernels).
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define NFS_HOST_DEVICE __host__ __device__
#else
#define NFS_HOST_DEVICE
#endif

namespace nfs {

constexpr int64_t kRowsPerLane = 512;

// Chunks for `rows` rows: one (deterministic, no atomics) up to 8 × kRowsPerLane rows, at most
// 65535 (the grid's y limit): 1.6M rows become 391.
inline unsigned row_chunks(int64_t rows) {
  const int64_t g = (rows + 8 * kRowsPerLane - 1) / (8 * kRowsPerLane);
  return static_cast<unsigned>(g < 1 ? 1 : (g > 65535 ? 65535 : g));
}

// Rows [first, last) of chunk `index`; empty (first >= last) for a chunk past the end.
NFS_HOST_DEVICE inline void chunk_rows(int64_t rows, int64_t chunks, int64_t index, int64_t& first,
                                       int64_t& last) {
  const int64_t chunk = (rows + chunks - 1) / chunks;
  first = index * chunk;
  last = first + chunk < rows ? first + chunk : rows;
}

}  // namespace nfs
