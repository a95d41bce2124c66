// GroupNorm over per-vertex features x [B, V, C] (PyTorch GroupNorm on a (B, C, V) tensor).
// The C channels form G groups of Cg = C / G consecutive channels. For each mesh b and group g the
// mean and the biased variance are taken over the group's Cg channels AND all V vertices
// (N = V·Cg values); x̂ = (x - mean)·rstd with rstd = 1/sqrt(var + eps); y = x̂·gamma[c] + beta[c].
//
// group_norm_forward: writes y [B,V,C] and the statistics saved for backward, mean and rstd
//   [B, G] (all overwritten).
// group_norm_backward: from dy [B,V,C] and the saved statistics:
//   dx = rstd·(dx̂ - mean_N(dx̂) - x̂·mean_N(dx̂·x̂)) with dx̂ = dy·gamma  (OVERWRITES dx),
//   dgamma[c] += Σ_{b,v} dy·x̂,  dbeta[c] += Σ_{b,v} dy  (ACCUMULATE: parameter gradients).
//   Any of dx, dgamma, dbeta may be null to skip it.
// The CUDA versions reduce each group in chunks of vertices (many blocks per group, so V in the
// hundreds of thousands fills the GPU) and need a scratch buffer of
// group_norm_workspace_floats(shape) floats, passed before the stream.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
struct GroupNormShape {
  int64_t batch = 1, vertices = 0, channels = 0, groups = 1;
  int64_t group_size() const { return channels / groups; }         // Cg
  int64_t group_count() const { return batch * groups; }           // number of (b, g) pairs
  int64_t group_numel() const { return vertices * group_size(); }  // N
};

// Blocks per (b, g) group in the CUDA statistics reductions, and row chunks in the per-channel
// reduction of dgamma / dbeta. Enough blocks to fill a GPU, few enough to keep partials small.
inline int64_t group_norm_chunks(const GroupNormShape& s) {
  const int64_t per_block = 256 * 8;
  int64_t c = (s.group_numel() + per_block - 1) / per_block;
  return c < 1 ? 1 : (c > 512 ? 512 : c);
}
inline int64_t group_norm_row_chunks(const GroupNormShape& s) {
  int64_t c = (s.batch * s.vertices + 255) / 256;
  return c < 1 ? 1 : (c > 256 ? 256 : c);
}
inline int64_t group_norm_workspace_floats(const GroupNormShape& s) {
  return 2 * s.group_count() * group_norm_chunks(s)    // (b, g, chunk) partial sums
         + 2 * s.group_count()                         // per-group means of the backward
         + 2 * group_norm_row_chunks(s) * s.channels;  // (chunk, c) partials of dgamma, dbeta
}
}  // namespace nfs

namespace nfs::cpu {
void group_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* gamma,
                        const float* beta, const GroupNormShape& s, float eps);
void group_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* mean, const float* rstd, const float* gamma,
                         const GroupNormShape& s);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void group_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* gamma,
                        const float* beta, const GroupNormShape& s, float eps, float* workspace,
                        cudaStream_t stream);
void group_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* mean, const float* rstd, const float* gamma,
                         const GroupNormShape& s, float* workspace, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
