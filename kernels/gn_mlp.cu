#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/row_chunks.h"
#include "kernels/gn_mlp.h"

namespace nfs::cuda {

namespace {
constexpr int kMaxGroupsPerBlock = 256;  // shared accumulators of the statistics kernels
constexpr int kRowsPerBlock = 64;        // vertices per block in the statistics kernels
}  // namespace

// ---- statistics ----------------------------------------------------------------------------
// Grid (row chunks, B). Each block sums its rows' values and squares per group in shared
// doubles, then adds them to the global (Σ, Σ²) with one atomic per group.
static __global__ void group_sums_kernel(double* sums, const float* x, int64_t V, int64_t C,
                                         int groups) {
  __shared__ double s[2 * kMaxGroupsPerBlock];
  for (int i = threadIdx.x; i < 2 * groups; i += blockDim.x) s[i] = 0.0;
  __syncthreads();
  const int64_t b = blockIdx.y, v0 = (int64_t)blockIdx.x * kRowsPerBlock;
  const int64_t v1 = min(V, v0 + kRowsPerBlock), cpg = C / groups;
  const float* xb = x + b * V * C;
  for (int64_t e = v0 * C + threadIdx.x; e < v1 * C; e += blockDim.x) {
    const double val = xb[e];
    const int g = (int)((e % C) / cpg);
    atomicAdd(&s[2 * g], val);
    atomicAdd(&s[2 * g + 1], val * val);
  }
  __syncthreads();
  for (int i = threadIdx.x; i < 2 * groups; i += blockDim.x) atomicAdd(&sums[2 * b * groups + i], s[i]);
}

static __global__ void finalize_kernel(float* mean_rstd, const double* sums, int64_t n, double count,
                                       float eps) {
  const int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (i >= n) return;
  const double mean = sums[2 * i] / count;
  const double var = fmax(0.0, sums[2 * i + 1] / count - mean * mean);
  mean_rstd[2 * i] = (float)mean;
  mean_rstd[2 * i + 1] = (float)(1.0 / sqrt(var + eps));
}

void stats_finalize(float* mean_rstd, const double* sums, const GnDims& d, float eps,
                    cudaStream_t stream) {
  const int64_t n = d.batch * d.groups;
  if (n == 0) return;
  finalize_kernel<<<grid_for(n), kBlock, 0, stream>>>(mean_rstd, sums, n,
                                                      double(d.vertices) * (d.channels / d.groups), eps);
  CUDA_CHECK_LAUNCH();
}

void group_stats(float* mean_rstd, double* sums_scratch, const float* x, const GnDims& d, float eps,
                 cudaStream_t stream) {
  if (d.groups > kMaxGroupsPerBlock) throw std::invalid_argument("group_stats: too many groups");
  CUDA_CHECK(cudaMemsetAsync(sums_scratch, 0, sizeof(double) * 2 * d.batch * d.groups, stream));
  if (d.vertices > 0 && d.batch > 0) {
    dim3 grid((unsigned)((d.vertices + kRowsPerBlock - 1) / kRowsPerBlock), (unsigned)d.batch);
    group_sums_kernel<<<grid, kBlock, 0, stream>>>(sums_scratch, x, d.vertices, d.channels, d.groups);
    CUDA_CHECK_LAUNCH();
  }
  stats_finalize(mean_rstd, sums_scratch, d, eps, stream);
}

static __global__ void affine_kernel(float* scale, float* shift, const float* mean_rstd,
                                     const float* gamma, const float* beta, int64_t B, int64_t C,
                                     int groups) {
  const int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (i >= B * C) return;
  const int64_t b = i / C, c = i % C;
  const int64_t g = b * groups + c / (C / groups);
  const float a = gamma[c] * mean_rstd[2 * g + 1];
  scale[i] = a;
  shift[i] = beta[c] - mean_rstd[2 * g] * a;
}

void gn_affine(float* scale, float* shift, const float* mean_rstd, const float* gamma,
               const float* beta, const GnDims& d, cudaStream_t stream) {
  const int64_t n = d.batch * d.channels;
  if (n == 0) return;
  affine_kernel<<<grid_for(n), kBlock, 0, stream>>>(scale, shift, mean_rstd, gamma, beta, d.batch,
                                                    d.channels, d.groups);
  CUDA_CHECK_LAUNCH();
}

// ---- the fused layer -----------------------------------------------------------------------
// y[b] = relu(x[b] · scale[b] + shift[b]) · Wᵀ (+ bias), tiled 64×64 with a K step of 16; 256
// threads each own a 4×4 block of outputs. The prologue normalizes while loading x; the
// epilogue stores y and adds its column sums (Σy, Σy²) to the output groups' statistics.
namespace {
constexpr int BM = 64, BN = 64, BK = 16;
}

static __global__ void __launch_bounds__(256)
    norm_relu_linear_kernel(float* y, double* y_sums, const float* x, const float* scale,
                            const float* shift, const float* w, const float* bias, int64_t V,
                            int64_t K, int64_t N, int out_groups) {
  __shared__ float As[BK][BM + 4];
  __shared__ float Bs[BK][BN + 4];
  __shared__ double col_sum[BN], col_sq[BN];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t b = blockIdx.z, m0 = (int64_t)blockIdx.y * BM, n0 = (int64_t)blockIdx.x * BN;
  const float* xb = x + b * V * K;
  const float* sc = scale + b * K;
  const float* sh = shift + b * K;
  float acc[4][4] = {};
  for (int64_t k0 = 0; k0 < K; k0 += BK) {
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int e = tid + i * 256;
      const int r = e / BK, kk = e % BK;
      const int64_t gk = k0 + kk;
      const int64_t gm = m0 + r, gn = n0 + r;
      float a = 0.0f, bv = 0.0f;
      if (gm < V && gk < K) a = fmaxf(0.0f, xb[gm * K + gk] * sc[gk] + sh[gk]);
      if (gn < N && gk < K) bv = w[gn * K + gk];
      As[kk][r] = a;
      Bs[kk][r] = bv;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      float a[4], bv[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        a[i] = As[kk][ty * 4 + i];
        bv[i] = Bs[kk][tx * 4 + i];
      }
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * bv[j];
    }
    __syncthreads();
  }
  if (y_sums && tid < BN) {
    col_sum[tid] = 0.0;
    col_sq[tid] = 0.0;
  }
  __syncthreads();
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const int64_t gn = n0 + tx * 4 + j;
    if (gn >= N) continue;
    const float bj = bias ? bias[gn] : 0.0f;
    float s = 0.0f, q = 0.0f;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int64_t gm = m0 + ty * 4 + i;
      if (gm >= V) continue;
      const float v = acc[i][j] + bj;
      y[(b * V + gm) * N + gn] = v;
      s += v;
      q += v * v;
    }
    if (y_sums) {
      atomicAdd(&col_sum[tx * 4 + j], (double)s);
      atomicAdd(&col_sq[tx * 4 + j], (double)q);
    }
  }
  if (!y_sums) return;
  __syncthreads();
  if (tid < BN && n0 + tid < N) {
    const int64_t g = b * out_groups + (n0 + tid) / (N / out_groups);
    atomicAdd(&y_sums[2 * g], col_sum[tid]);
    atomicAdd(&y_sums[2 * g + 1], col_sq[tid]);
  }
}

void norm_relu_linear_forward(float* y, double* y_sums, const float* x, const float* scale,
                              const float* shift, const float* weight, const float* bias,
                              const GnDims& in, int64_t N, int out_groups, cudaStream_t stream) {
  if (in.batch == 0 || in.vertices == 0 || N == 0) return;
  dim3 grid((unsigned)((N + BN - 1) / BN), (unsigned)((in.vertices + BM - 1) / BM), (unsigned)in.batch);
  norm_relu_linear_kernel<<<grid, 256, 0, stream>>>(y, y_sums, x, scale, shift, weight, bias,
                                                    in.vertices, in.channels, N, out_groups);
  CUDA_CHECK_LAUNCH();
}

static __global__ void norm_relu_kernel(float* act, const float* x, const float* scale,
                                        const float* shift, int64_t n, int64_t V, int64_t C) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t c = i % C, b = i / (V * C);
    act[i] = fmaxf(0.0f, x[i] * scale[b * C + c] + shift[b * C + c]);
  }
}

void norm_relu_apply(float* act, const float* x, const float* scale, const float* shift,
                     const GnDims& d, cudaStream_t stream) {
  const int64_t n = d.batch * d.vertices * d.channels;
  if (n == 0) return;
  norm_relu_kernel<<<grid_for(n), kBlock, 0, stream>>>(act, x, scale, shift, n, d.vertices, d.channels);
  CUDA_CHECK_LAUNCH();
}

// ---- backward ------------------------------------------------------------------------------
struct GnElement {
  float xh, dxh, dpre;
};
__device__ __forceinline__ GnElement gn_element(float xv, float da, float mean, float rstd,
                                                float gamma, float beta) {
  GnElement e;
  e.xh = (xv - mean) * rstd;
  e.dpre = (gamma * e.xh + beta) > 0.0f ? da : 0.0f;
  e.dxh = e.dpre * gamma;
  return e;
}

// Per (b, g): Σ dx̂ and Σ dx̂ · x̂, like group_sums_kernel.
static __global__ void gn_backward_sums_kernel(double* sums, const float* d_act, const float* x,
                                               const float* mean_rstd, const float* gamma,
                                               const float* beta, int64_t V, int64_t C, int groups) {
  __shared__ double s[2 * kMaxGroupsPerBlock];
  for (int i = threadIdx.x; i < 2 * groups; i += blockDim.x) s[i] = 0.0;
  __syncthreads();
  const int64_t b = blockIdx.y, v0 = (int64_t)blockIdx.x * kRowsPerBlock;
  const int64_t v1 = min(V, v0 + kRowsPerBlock), cpg = C / groups;
  for (int64_t e = v0 * C + threadIdx.x; e < v1 * C; e += blockDim.x) {
    const int64_t c = e % C, i = b * V * C + e;
    const int g = (int)(c / cpg);
    const int64_t bg = b * groups + g;
    GnElement el = gn_element(x[i], d_act[i], mean_rstd[2 * bg], mean_rstd[2 * bg + 1], gamma[c], beta[c]);
    atomicAdd(&s[2 * g], (double)el.dxh);
    atomicAdd(&s[2 * g + 1], (double)el.dxh * el.xh);
  }
  __syncthreads();
  for (int i = threadIdx.x; i < 2 * groups; i += blockDim.x) atomicAdd(&sums[2 * b * groups + i], s[i]);
}

// dγ, dβ per channel: blocks of 32 channels × a chunk of the B·V rows, 8 row lanes, a shared-memory
// reduction; several chunks add atomically (as bias_backward_kernel).
static __global__ void gn_param_grads_kernel(float* dgamma, float* dbeta, const float* d_act,
                                             const float* x, const float* mean_rstd,
                                             const float* gamma, const float* beta, int64_t B,
                                             int64_t V, int64_t C, int groups) {
  __shared__ float pg[8][33], pb[8][33];
  const int64_t c = (int64_t)blockIdx.x * 32 + threadIdx.x, rows = B * V;
  int64_t first, last;
  chunk_rows(rows, gridDim.y, blockIdx.y, first, last);
  float ag = 0.0f, ab = 0.0f;
  if (c < C) {
    const int64_t cpg = C / groups;
    for (int64_t r = first + threadIdx.y; r < last; r += blockDim.y) {
      const int64_t bg = (r / V) * groups + c / cpg, i = r * C + c;
      GnElement el = gn_element(x[i], d_act[i], mean_rstd[2 * bg], mean_rstd[2 * bg + 1], gamma[c], beta[c]);
      ag += el.dpre * el.xh;
      ab += el.dpre;
    }
  }
  pg[threadIdx.y][threadIdx.x] = ag;
  pb[threadIdx.y][threadIdx.x] = ab;
  __syncthreads();
  if (threadIdx.y == 0 && c < C) {
    float sg = 0.0f, sb = 0.0f;
    for (int i = 0; i < 8; ++i) {
      sg += pg[i][threadIdx.x];
      sb += pb[i][threadIdx.x];
    }
    if (gridDim.y == 1) {  // one chunk: deterministic
      dgamma[c] += sg;
      dbeta[c] += sb;
    } else {
      atomicAdd(&dgamma[c], sg);
      atomicAdd(&dbeta[c], sb);
    }
  }
}

static __global__ void gn_backward_dx_kernel(float* dx, const double* sums, const float* d_act,
                                             const float* x, const float* mean_rstd,
                                             const float* gamma, const float* beta, int64_t n,
                                             int64_t V, int64_t C, int groups, double count) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t c = i % C, b = i / (V * C);
    const int64_t bg = b * groups + c / (C / groups);
    const float rstd = mean_rstd[2 * bg + 1];
    GnElement el = gn_element(x[i], d_act[i], mean_rstd[2 * bg], rstd, gamma[c], beta[c]);
    dx[i] = (float)(rstd * (el.dxh - sums[2 * bg] / count - el.xh * sums[2 * bg + 1] / count));
  }
}

void gn_relu_backward(float* dx, float* dgamma, float* dbeta, double* sums_scratch,
                      const float* d_act, const float* x, const float* mean_rstd,
                      const float* gamma, const float* beta, const GnDims& d,
                      cudaStream_t stream) {
  if (d.groups > kMaxGroupsPerBlock) throw std::invalid_argument("gn_relu_backward: too many groups");
  const int64_t n = d.batch * d.vertices * d.channels;
  if (n == 0) return;
  CUDA_CHECK(cudaMemsetAsync(sums_scratch, 0, sizeof(double) * 2 * d.batch * d.groups, stream));
  dim3 grid((unsigned)((d.vertices + kRowsPerBlock - 1) / kRowsPerBlock), (unsigned)d.batch);
  gn_backward_sums_kernel<<<grid, kBlock, 0, stream>>>(sums_scratch, d_act, x, mean_rstd, gamma, beta,
                                                       d.vertices, d.channels, d.groups);
  CUDA_CHECK_LAUNCH();
  dim3 block(32, 8), pgrid((unsigned)((d.channels + 31) / 32), row_chunks(d.batch * d.vertices));
  gn_param_grads_kernel<<<pgrid, block, 0, stream>>>(dgamma, dbeta, d_act, x, mean_rstd, gamma, beta,
                                                     d.batch, d.vertices, d.channels, d.groups);
  CUDA_CHECK_LAUNCH();
  gn_backward_dx_kernel<<<grid_for(n), kBlock, 0, stream>>>(dx, sums_scratch, d_act, x, mean_rstd, gamma,
                                                            beta, n, d.vertices, d.channels, d.groups,
                                                            double(d.vertices) * (d.channels / d.groups));
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
