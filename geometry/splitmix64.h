// SplitMix64: a tiny counter-based generator, deterministic on every platform (the std::
// distributions are not), for the geometry module's random choices (re-mesh jitter, sampling).
#pragma once
#include <cstdint>

namespace nfs {

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

}  // namespace nfs
