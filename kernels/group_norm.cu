#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/group_norm.h"

namespace nfs::cuda {

namespace {

constexpr int kThreads = 256;  // threads of the group reduction blocks

__device__ void warp_sum2(double& a, double& b) {
  for (int off = 16; off > 0; off >>= 1) {
    a += __shfl_down_sync(0xffffffffu, a, off);
    b += __shfl_down_sync(0xffffffffu, b, off);
  }
}

// Sums a and b over a block of kThreads threads; the totals are valid in thread 0.
__device__ void block_sum2(double& a, double& b) {
  __shared__ double sa[kThreads / 32], sb[kThreads / 32];
  warp_sum2(a, b);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) {
    sa[warp] = a;
    sb[warp] = b;
  }
  __syncthreads();
  if (warp == 0) {
    a = lane < kThreads / 32 ? sa[lane] : 0.0;
    b = lane < kThreads / 32 ? sb[lane] : 0.0;
    warp_sum2(a, b);
  }
}

// Partial sums over one chunk of the N = V·Cg values of group (b, g); grid (chunks, B·G).
// Forward: Σ (x - shift) and Σ (x - shift)² with shift = the group's first value, so the variance
// stays accurate when |mean| >> std. Backward: Σ dx̂ and Σ dx̂·x̂ with dx̂ = dy·gamma.
// Index i of the group is vertex i / Cg, channel g·Cg + i % Cg: a warp reads whole 32-byte
// sectors of consecutive channels.
template <bool kBackward>
__global__ void group_partial_kernel(float* partial, const float* x, const float* dy,
                                     const float* gamma, const float* mean, const float* rstd,
                                     int vertices, int channels, int groups, int cg, int n,
                                     int chunk_len) {
  const int chunk = blockIdx.x, bg = blockIdx.y;
  const int b = bg / groups, g = bg % groups;
  const int64_t base = (int64_t)b * vertices * channels + (int64_t)g * cg;
  const float* xg = x + base;
  const int begin = chunk * chunk_len;
  const int end = min(n, begin + chunk_len);
  const float shift = kBackward ? 0.0f : xg[0];
  const float mu = kBackward ? mean[bg] : 0.0f, r = kBackward ? rstd[bg] : 0.0f;
  double s1 = 0.0, s2 = 0.0;
  for (int i = begin + threadIdx.x; i < end; i += blockDim.x) {
    const int v = i / cg, k = i - v * cg;
    const int64_t off = (int64_t)v * channels + k;
    if (kBackward) {
      const float xh = (xg[off] - mu) * r;
      const float d = dy[base + off] * gamma[g * cg + k];
      s1 += d;
      s2 += (double)d * xh;
    } else {
      const float d = xg[off] - shift;
      s1 += d;
      s2 += (double)d * d;
    }
  }
  block_sum2(s1, s2);
  if (threadIdx.x == 0) {
    float* p = partial + 2 * ((int64_t)bg * gridDim.x + chunk);
    p[0] = (float)s1;
    p[1] = (float)s2;
  }
}

// One warp per group: adds the chunks' partial sums (in double). Forward writes mean and rstd;
// backward writes mean_N(dx̂) and mean_N(dx̂·x̂) to means[2·bg].
template <bool kBackward>
__global__ void group_finish_kernel(float* out_a, float* out_b, float* means, const float* partial,
                                    const float* x, int chunks, int vertices, int channels,
                                    int groups, int cg, double n, float eps) {
  const int bg = blockIdx.x, lane = threadIdx.x;
  double s1 = 0.0, s2 = 0.0;
  for (int c = lane; c < chunks; c += 32) {
    s1 += partial[2 * ((int64_t)bg * chunks + c)];
    s2 += partial[2 * ((int64_t)bg * chunks + c) + 1];
  }
  warp_sum2(s1, s2);
  if (lane != 0) return;
  if (kBackward) {
    means[2 * bg] = (float)(s1 / n);
    means[2 * bg + 1] = (float)(s2 / n);
  } else {
    const int b = bg / groups, g = bg % groups;
    const double shift = x[(int64_t)b * vertices * channels + (int64_t)g * cg];
    const double m1 = s1 / n;
    const double var = fmax(s2 / n - m1 * m1, 0.0);
    out_a[bg] = (float)(shift + m1);
    out_b[bg] = (float)(1.0 / sqrt(var + (double)eps));
  }
}

__global__ void group_norm_apply_kernel(float* y, const float* x, const float* mean,
                                        const float* rstd, const float* gamma, const float* beta,
                                        int64_t total, int64_t vc, int channels, int groups,
                                        int cg) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int c = (int)(i % channels);
    const int64_t bg = (i / vc) * groups + c / cg;
    y[i] = (x[i] - mean[bg]) * rstd[bg] * gamma[c] + beta[c];
  }
}

__global__ void group_norm_dx_kernel(float* dx, const float* dy, const float* x, const float* mean,
                                     const float* rstd, const float* gamma, const float* means,
                                     int64_t total, int64_t vc, int channels, int groups, int cg) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int c = (int)(i % channels);
    const int64_t bg = (i / vc) * groups + c / cg;
    const float r = rstd[bg];
    const float xh = (x[i] - mean[bg]) * r;
    dx[i] = r * (dy[i] * gamma[c] - means[2 * bg] - xh * means[2 * bg + 1]);
  }
}

// Per-channel partial sums of dy·x̂ and dy over one chunk of the B·V rows;
// grid (ceil(C / 32), row chunks), block (32, 8): a warp reads 32 consecutive channels of a row.
__global__ void channel_partial_kernel(float* partial, const float* dy, const float* x,
                                       const float* mean, const float* rstd, int64_t rows,
                                       int64_t vertices, int channels, int groups, int cg,
                                       int64_t rows_per_chunk) {
  __shared__ float sg[8][33], sb[8][33];
  const int c = blockIdx.x * 32 + threadIdx.x;
  const int64_t r0 = blockIdx.y * rows_per_chunk;
  const int64_t r1 = min(rows, r0 + rows_per_chunk);
  float ag = 0.0f, ab = 0.0f;
  if (c < channels)
    for (int64_t r = r0 + threadIdx.y; r < r1; r += blockDim.y) {
      const int64_t bg = (r / vertices) * groups + c / cg;
      const int64_t i = r * channels + c;
      const float d = dy[i];
      ag += d * (x[i] - mean[bg]) * rstd[bg];
      ab += d;
    }
  sg[threadIdx.y][threadIdx.x] = ag;
  sb[threadIdx.y][threadIdx.x] = ab;
  __syncthreads();
  if (threadIdx.y == 0 && c < channels) {
    float tg = 0.0f, tb = 0.0f;
    for (int k = 0; k < 8; ++k) {
      tg += sg[k][threadIdx.x];
      tb += sb[k][threadIdx.x];
    }
    partial[2 * ((int64_t)blockIdx.y * channels + c)] = tg;
    partial[2 * ((int64_t)blockIdx.y * channels + c) + 1] = tb;
  }
}

__global__ void channel_finish_kernel(float* dgamma, float* dbeta, const float* partial, int chunks,
                                      int channels) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= channels) return;
  double tg = 0.0, tb = 0.0;
  for (int k = 0; k < chunks; ++k) {
    tg += partial[2 * ((int64_t)k * channels + c)];
    tb += partial[2 * ((int64_t)k * channels + c) + 1];
  }
  if (dgamma) dgamma[c] += (float)tg;
  if (dbeta) dbeta[c] += (float)tb;
}

struct Layout {  // the workspace split into its three parts
  float* group_partial;
  float* means;
  float* channel_partial;
};
Layout layout(float* ws, const GroupNormShape& s) {
  Layout l;
  l.group_partial = ws;
  l.means = l.group_partial + 2 * s.group_count() * group_norm_chunks(s);
  l.channel_partial = l.means + 2 * s.group_count();
  return l;
}

}  // namespace

void group_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* gamma,
                        const float* beta, const GroupNormShape& s, float eps, float* workspace,
                        cudaStream_t stream) {
  if (s.batch * s.vertices * s.channels == 0) return;
  const Layout l = layout(workspace, s);
  const int chunks = (int)group_norm_chunks(s);
  const int n = (int)s.group_numel(), cg = (int)s.group_size();
  const int chunk_len = (n + chunks - 1) / chunks;
  dim3 grid(chunks, (unsigned)s.group_count());
  group_partial_kernel<false><<<grid, kThreads, 0, stream>>>(
      l.group_partial, x, nullptr, nullptr, nullptr, nullptr, (int)s.vertices, (int)s.channels,
      (int)s.groups, cg, n, chunk_len);
  CUDA_CHECK_LAUNCH();
  group_finish_kernel<false><<<(unsigned)s.group_count(), 32, 0, stream>>>(
      mean, rstd, nullptr, l.group_partial, x, chunks, (int)s.vertices, (int)s.channels,
      (int)s.groups, cg, (double)n, eps);
  CUDA_CHECK_LAUNCH();
  const int64_t total = s.batch * s.vertices * s.channels;
  group_norm_apply_kernel<<<grid_for(total), kBlock, 0, stream>>>(
      y, x, mean, rstd, gamma, beta, total, s.vertices * s.channels, (int)s.channels, (int)s.groups,
      cg);
  CUDA_CHECK_LAUNCH();
}

void group_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* mean, const float* rstd, const float* gamma,
                         const GroupNormShape& s, float* workspace, cudaStream_t stream) {
  if (s.batch * s.vertices * s.channels == 0) return;
  const Layout l = layout(workspace, s);
  const int cg = (int)s.group_size();
  if (dx) {
    const int chunks = (int)group_norm_chunks(s);
    const int n = (int)s.group_numel();
    const int chunk_len = (n + chunks - 1) / chunks;
    dim3 grid(chunks, (unsigned)s.group_count());
    group_partial_kernel<true>
        <<<grid, kThreads, 0, stream>>>(l.group_partial, x, dy, gamma, mean, rstd, (int)s.vertices,
                                        (int)s.channels, (int)s.groups, cg, n, chunk_len);
    CUDA_CHECK_LAUNCH();
    group_finish_kernel<true><<<(unsigned)s.group_count(), 32, 0, stream>>>(
        nullptr, nullptr, l.means, l.group_partial, x, chunks, (int)s.vertices, (int)s.channels,
        (int)s.groups, cg, (double)n, 0.0f);
    CUDA_CHECK_LAUNCH();
    const int64_t total = s.batch * s.vertices * s.channels;
    group_norm_dx_kernel<<<grid_for(total), kBlock, 0, stream>>>(
        dx, dy, x, mean, rstd, gamma, l.means, total, s.vertices * s.channels, (int)s.channels,
        (int)s.groups, cg);
    CUDA_CHECK_LAUNCH();
  }
  if (dgamma || dbeta) {
    const int64_t rows = s.batch * s.vertices;
    const int row_chunks = (int)group_norm_row_chunks(s);
    const int64_t rows_per_chunk = (rows + row_chunks - 1) / row_chunks;
    dim3 block(32, 8);
    dim3 grid((unsigned)((s.channels + 31) / 32), row_chunks);
    channel_partial_kernel<<<grid, block, 0, stream>>>(l.channel_partial, dy, x, mean, rstd, rows,
                                                       s.vertices, (int)s.channels, (int)s.groups,
                                                       cg, rows_per_chunk);
    CUDA_CHECK_LAUNCH();
    channel_finish_kernel<<<(unsigned)((s.channels + kBlock - 1) / kBlock), kBlock, 0, stream>>>(
        dgamma, dbeta, l.channel_partial, row_chunks, (int)s.channels);
    CUDA_CHECK_LAUNCH();
  }
}

}  // namespace nfs::cuda
