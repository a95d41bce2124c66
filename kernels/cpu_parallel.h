// The CPU path's threads: fn(chunk) for chunk in [0, n) on up to cpu_threads() std::threads,
// chunks handed out in order by an atomic counter (a core slowed by another process does not hold
// the other back). Results do not depend on the thread count as long as the caller splits its
// work into chunks of a fixed size, each chunk writes only its own outputs, and reductions go
// through per-chunk partials summed afterwards in chunk order.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace nfs::cpu {

// NFS_THREADS from the environment when set (≥ 1), else the hardware threads; at most 16.
int cpu_threads();
// Overrides cpu_threads() for the process (tests, benchmarks); 0 returns to the default.
void set_cpu_threads(int threads);

namespace detail {
bool& in_parallel_region();
}

// The number of workers parallel_chunks(n, ...) runs (to size per-worker scratch).
inline int parallel_workers(int64_t n) {
  if (detail::in_parallel_region()) return 1;
  return static_cast<int>(std::clamp<int64_t>(n, 1, cpu_threads()));
}

// fn(worker, chunk), worker < parallel_workers(n). A call from inside fn runs serially.
template <typename Fn>
void parallel_chunks(int64_t n, Fn&& fn) {
  const int workers = parallel_workers(n);
  if (workers == 1) {
    for (int64_t c = 0; c < n; ++c) fn(0, c);
    return;
  }
  std::atomic<int64_t> next{0};
  auto work = [&](int worker) {
    detail::in_parallel_region() = true;
    for (int64_t c; (c = next.fetch_add(1)) < n;) fn(worker, c);
    detail::in_parallel_region() = false;
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
}

}  // namespace nfs::cpu
