#include "kernels/cpu_parallel.h"

#include <cstdlib>

namespace nfs::cpu {

namespace {
std::atomic<int> g_threads_override{0};

int default_threads() {
  if (const char* env = std::getenv("NFS_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return std::min(n, 16);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hw == 0 ? 1u : hw, 1u, 16u));
}
}  // namespace

int cpu_threads() {
  static const int fallback = default_threads();
  const int o = g_threads_override.load();
  return o > 0 ? o : fallback;
}

void set_cpu_threads(int threads) { g_threads_override.store(std::clamp(threads, 0, 16)); }

bool& detail::in_parallel_region() {
  thread_local bool inside = false;
  return inside;
}

}  // namespace nfs::cpu
