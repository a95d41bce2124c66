// Inverted dropout with a counter-based mask: element i is kept when the (i+1)-th output of a
// SplitMix64 stream seeded with `seed` has its top 24 bits >= ceil(p · 2^24). The mask is a pure
// function of (seed, i), computed by the one inline function below on both devices, so CPU and
// CUDA drop exactly the same elements and nothing needs to be stored for the backward.
// dropout_forward: y[i] = keep(i) ? x[i] / (1 - p) : 0 (overwrites y).
// dropout_backward: dx[i] = keep(i) ? dy[i] / (1 - p) : 0 (overwrites dx).
// p in [0, 1]; p = 1 drops everything.
#pragma once
#include <cmath>
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

#if defined(__CUDACC__)
#define NFS_DROPOUT_HD __host__ __device__
#else
#define NFS_DROPOUT_HD
#endif

namespace nfs {

// SplitMix64 (Steele, Lea, Flood 2014): the golden-ratio counter and Stafford's mix13 finalizer.
NFS_DROPOUT_HD inline uint64_t splitmix64(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

NFS_DROPOUT_HD inline bool dropout_keep(uint64_t seed, uint64_t index, uint32_t threshold) {
  return static_cast<uint32_t>(splitmix64(seed, index) >> 40) >= threshold;
}

// Integer threshold of the 24-bit uniform: P(keep) = 1 - threshold / 2^24 ≈ 1 - p.
inline uint32_t dropout_threshold(float p) {
  return static_cast<uint32_t>(std::ceil(static_cast<double>(p) * 16777216.0));
}
inline float dropout_scale(float p) {
  return p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
}

}  // namespace nfs

namespace nfs::cpu {
void dropout_forward(float* y, const float* x, int64_t n, uint64_t seed, float p);
void dropout_backward(float* dx, const float* dy, int64_t n, uint64_t seed, float p);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void dropout_forward(float* y, const float* x, int64_t n, uint64_t seed, float p,
                     cudaStream_t stream);
void dropout_backward(float* dx, const float* dy, int64_t n, uint64_t seed, float p,
                      cudaStream_t stream);
}  // namespace nfs::cuda
#endif
