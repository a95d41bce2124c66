// Splits [0, n) into contiguous ranges run on up to num_threads() std::threads (the calling
// thread takes the first). For the few heavy loops of the geometry precompute; each range must
// write only its own outputs.
#pragma once
#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "kernels/cpu_parallel.h"

namespace nfs::geo {

// Threads for the precompute: the CPU path's (NFS_THREADS, else the hardware threads, ≤ 16).
inline int num_threads() { return cpu::cpu_threads(); }

// fn(part, begin, end) for parts = min(num_threads(), ceil(n / min_chunk)) ranges covering [0, n).
template <typename Fn>
void parallel_for(int64_t n, int64_t min_chunk, Fn&& fn) {
  const int64_t parts = std::max<int64_t>(
      1, std::min<int64_t>(num_threads(), (n + min_chunk - 1) / std::max<int64_t>(min_chunk, 1)));
  if (parts == 1) {
    fn(0, int64_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(parts - 1);
  for (int64_t p = 1; p < parts; ++p)
    pool.emplace_back(
        [&fn, p, parts, n] { fn(static_cast<int>(p), n * p / parts, n * (p + 1) / parts); });
  fn(0, int64_t{0}, n / parts);
  for (auto& t : pool) t.join();
}

// The number of parts parallel_for(n, min_chunk, ...) uses (to size per-part buffers).
inline int parallel_parts(int64_t n, int64_t min_chunk) {
  return static_cast<int>(std::max<int64_t>(
      1, std::min<int64_t>(num_threads(), (n + min_chunk - 1) / std::max<int64_t>(min_chunk, 1))));
}

}  // namespace nfs::geo
