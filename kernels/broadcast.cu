// Broadcast binary ops and the reduce-to-shape of their backward.
//
// The launchers first simplify the 4-D problem: size-1 axes are dropped and neighbouring axes
// that every tensor walks as one are merged ([B,V,C] * [V,C] becomes [B, V·C] * [V·C]), so the
// kernels divide as few times as possible; indices are 32-bit whenever the tensors allow it.
// reduce_to_shape picks one of three kernels by the shape of the reduction:
//   few terms per output (R <= 16): one thread per output element, a plain loop;
//   innermost axis kept (the bias-like [B,V,C] -> [C]): 32×8 tiles, threads x over output
//     elements (coalesced), threads y over reduced rows, a shared-memory combine;
//   innermost axis reduced ([.., C] -> [.., 1]): one warp per output element, lanes over the
//     reduced elements (coalesced), a shuffle combine.
// The last two split long reductions over grid.y and combine the blocks with atomicAdd.
#include <algorithm>
#include <cstdint>

#include "kernels/broadcast.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"

namespace nfs::cuda {

namespace {

// Axes after simplification, outermost first. s0/s1: two stride sets (binary: a and b;
// reduce: grad and factor). reduced: the axis is summed over (reduce only).
struct Axes {
  int nd = 0;
  int64_t dim[4] = {1, 1, 1, 1};
  int64_t s0[4] = {0, 0, 0, 0};
  int64_t s1[4] = {0, 0, 0, 0};
  bool reduced[4] = {false, false, false, false};
};

Axes simplify(const int64_t* dims, const int64_t* s0, const int64_t* s1, const bool* reduced) {
  Axes a;
  for (int k = 0; k < 4; ++k) {
    if (dims[k] == 1) continue;  // its coordinate is always 0
    if (a.nd > 0) {
      const int j = a.nd - 1;  // merge into the previous axis when both walk as one
      if (a.reduced[j] == reduced[k] && a.s0[j] == s0[k] * dims[k] && a.s1[j] == s1[k] * dims[k]) {
        a.dim[j] *= dims[k];
        a.s0[j] = s0[k];
        a.s1[j] = s1[k];
        continue;
      }
    }
    a.dim[a.nd] = dims[k];
    a.s0[a.nd] = s0[k];
    a.s1[a.nd] = s1[k];
    a.reduced[a.nd] = reduced[k];
    ++a.nd;
  }
  if (a.nd == 0) a.nd = 1;  // a single element
  return a;
}

template <typename I>
struct Map {
  int nd;
  I dim[4], s0[4], s1[4];
  bool reduced[4];
};

template <typename I>
Map<I> to_map(const Axes& a) {
  Map<I> m;
  m.nd = a.nd;
  for (int k = 0; k < 4; ++k) {
    m.dim[k] = static_cast<I>(a.dim[k]);
    m.s0[k] = static_cast<I>(a.s0[k]);
    m.s1[k] = static_cast<I>(a.s1[k]);
    m.reduced[k] = a.reduced[k];
  }
  return m;
}

// Offsets of element idx into both stride sets, idx counting row-major over the axes whose
// reduced flag equals `over_reduced`.
template <typename I>
__device__ __forceinline__ void offsets(I idx, const Map<I>& m, bool over_reduced, I& o0, I& o1) {
  o0 = 0;
  o1 = 0;
#pragma unroll
  for (int k = 3; k >= 0; --k) {
    if (k < m.nd && m.reduced[k] == over_reduced) {
      const I c = idx % m.dim[k];
      idx /= m.dim[k];
      o0 += c * m.s0[k];
      o1 += c * m.s1[k];
    }
  }
}

__device__ __forceinline__ float apply(BinaryOp op, float x, float y) {
  return op == BinaryOp::kAdd ? x + y : op == BinaryOp::kSub ? x - y : x * y;
}

template <typename I>
__global__ void binary_kernel(float* out, const float* a, const float* b, Map<I> m, I n,
                              BinaryOp op) {
  for (I i = blockIdx.x * (I)blockDim.x + threadIdx.x; i < n; i += (I)gridDim.x * blockDim.x) {
    I oa, ob;
    if (m.nd == 1) {
      oa = i * m.s0[0];
      ob = i * m.s1[0];
    } else {
      offsets(i, m, false, oa, ob);
    }
    out[i] = apply(op, a[oa], b[ob]);
  }
}

__device__ __forceinline__ void store(float* out, float v, bool atomic, bool accumulate) {
  if (atomic)
    atomicAdd(out, v);
  else
    *out = accumulate ? *out + v : v;
}

// Few terms per output element: one thread each, no combine.
template <typename I>
__global__ void reduce_small_kernel(float* out, const float* f, const float* g, Map<I> m, I T, I R,
                                    float alpha, bool accumulate) {
  for (I t = blockIdx.x * (I)blockDim.x + threadIdx.x; t < T; t += (I)gridDim.x * blockDim.x) {
    I tg, tf;
    offsets(t, m, false, tg, tf);
    float acc = 0.0f;
    for (I r = 0; r < R; ++r) {
      I rg, rf;
      offsets(r, m, true, rg, rf);
      acc += f ? g[tg + rg] * f[tf + rf] : g[tg + rg];
    }
    store(out + t, alpha * acc, false, accumulate);
  }
}

constexpr int kTile = 32;  // output elements per tile (threads x)
constexpr int kRows = 8;   // reduction threads per tile (threads y)

// Innermost axis kept: threadIdx.x walks output elements, threadIdx.y the reduced rows of this
// block's slice [r0, r1) of the R terms.
template <typename I>
__global__ void reduce_rows_kernel(float* out, const float* f, const float* g, Map<I> m, I T, I R,
                                   I chunk, float alpha, bool accumulate) {
  __shared__ float partial[kRows][kTile + 1];
  const I r0 = blockIdx.y * chunk;
  const I r1 = r0 + chunk < R ? r0 + chunk : R;
  const I tiles = (T + kTile - 1) / kTile;
  for (I tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const I t = tile * kTile + threadIdx.x;
    float acc = 0.0f;
    if (t < T) {
      I tg, tf;
      offsets(t, m, false, tg, tf);
      for (I r = r0 + threadIdx.y; r < r1; r += kRows) {
        I rg, rf;
        offsets(r, m, true, rg, rf);
        acc += f ? g[tg + rg] * f[tf + rf] : g[tg + rg];
      }
    }
    partial[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && t < T) {
      float s = 0.0f;
#pragma unroll
      for (int y = 0; y < kRows; ++y) s += partial[y][threadIdx.x];
      store(out + t, alpha * s, gridDim.y > 1, accumulate);
    }
    __syncthreads();  // partial is reused by the next tile
  }
}

// Innermost axis reduced: warp threadIdx.y owns one output element, its lanes walk the terms.
template <typename I>
__global__ void reduce_warp_kernel(float* out, const float* f, const float* g, Map<I> m, I T, I R,
                                   I chunk, float alpha, bool accumulate) {
  const I r0 = blockIdx.y * chunk;
  const I r1 = r0 + chunk < R ? r0 + chunk : R;
  for (I t = blockIdx.x * (I)kRows + threadIdx.y; t < T; t += (I)gridDim.x * kRows) {
    I tg, tf;
    offsets(t, m, false, tg, tf);
    float acc = 0.0f;
    for (I r = r0 + threadIdx.x; r < r1; r += 32) {
      I rg, rf;
      offsets(r, m, true, rg, rf);
      acc += f ? g[tg + rg] * f[tf + rf] : g[tg + rg];
    }
#pragma unroll
    for (int off = 16; off > 0; off /= 2) acc += __shfl_down_sync(0xffffffffu, acc, off);
    if (threadIdx.x == 0) store(out + t, alpha * acc, gridDim.y > 1, accumulate);
  }
}

constexpr int64_t kTargetBlocks = 1024;  // enough to fill an H100 several times over
constexpr unsigned kMaxGrid = 65535u;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

template <typename I>
void launch_reduce(float* out, const float* factor, const float* grad, const Axes& ax, int64_t T,
                   int64_t R, float alpha, bool accumulate, cudaStream_t stream) {
  const Map<I> m = to_map<I>(ax);
  if (R <= 16) {
    reduce_small_kernel<I>
        <<<grid_for(T), kBlock, 0, stream>>>(out, factor, grad, m, (I)T, (I)R, alpha, accumulate);
    CUDA_CHECK_LAUNCH();
    return;
  }
  const bool inner_reduced = ax.reduced[ax.nd - 1];
  // Blocks along x cover the output; grid.y splits each reduction so that the whole grid has
  // about kTargetBlocks blocks, but never below `min_terms` terms per thread.
  const int64_t per_block_x = inner_reduced ? kRows : kTile;
  const int64_t threads_on_r = inner_reduced ? 32 : kRows;
  const int64_t min_terms = 16;
  const int64_t gx = std::min<int64_t>(ceil_div(T, per_block_x), kMaxGrid);
  int64_t gy = std::max<int64_t>(1, ceil_div(kTargetBlocks, gx));
  gy = std::min<int64_t>({gy, ceil_div(R, threads_on_r * min_terms), kMaxGrid});
  const int64_t chunk = ceil_div(R, gy);
  gy = ceil_div(R, chunk);
  if (gy > 1 && !accumulate) CUDA_CHECK(cudaMemsetAsync(out, 0, T * sizeof(float), stream));
  const dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy));
  const dim3 block(32, kRows);
  if (inner_reduced)
    reduce_warp_kernel<I>
        <<<grid, block, 0, stream>>>(out, factor, grad, m, (I)T, (I)R, (I)chunk, alpha, accumulate);
  else
    reduce_rows_kernel<I>
        <<<grid, block, 0, stream>>>(out, factor, grad, m, (I)T, (I)R, (I)chunk, alpha, accumulate);
  CUDA_CHECK_LAUNCH();
}

// 32-bit indices (cheaper division) whenever every offset fits.
bool fits_u32(int64_t n) {
  return n < (int64_t(1) << 31);
}

}  // namespace

void binary_forward(float* out, const float* a, const float* b, const BroadcastShape& s,
                    BinaryOp op, cudaStream_t stream) {
  int64_t n = 1;
  for (int k = 0; k < 4; ++k) n *= s.dims[k];
  if (n == 0) return;
  const bool none[4] = {false, false, false, false};
  const Axes ax = simplify(s.dims, s.stride_a, s.stride_b, none);
  if (fits_u32(n))
    binary_kernel<uint32_t>
        <<<grid_for(n), kBlock, 0, stream>>>(out, a, b, to_map<uint32_t>(ax), (uint32_t)n, op);
  else
    binary_kernel<int64_t>
        <<<grid_for(n), kBlock, 0, stream>>>(out, a, b, to_map<int64_t>(ax), n, op);
  CUDA_CHECK_LAUNCH();
}

void reduce_to_shape(float* out, const float* factor, const float* grad, const ReduceShape& s,
                     float alpha, bool accumulate, cudaStream_t stream) {
  int64_t n = 1, T = 1;
  int64_t grad_stride[4];
  bool reduced[4];
  const int64_t zero[4] = {0, 0, 0, 0};
  for (int k = 3; k >= 0; --k) {
    grad_stride[k] = n;
    n *= s.dims[k];
    T *= s.operand_dims[k];
    reduced[k] = s.operand_dims[k] == 1 && s.dims[k] != 1;
  }
  if (T == 0) return;
  if (n == 0) {  // nothing broadcast from: the gradient is zero
    if (!accumulate) CUDA_CHECK(cudaMemsetAsync(out, 0, T * sizeof(float), stream));
    return;
  }
  const Axes ax = simplify(s.dims, grad_stride, factor ? s.stride_factor : zero, reduced);
  const int64_t R = n / T;
  if (fits_u32(n))
    launch_reduce<uint32_t>(out, factor, grad, ax, T, R, alpha, accumulate, stream);
  else
    launch_reduce<int64_t>(out, factor, grad, ax, T, R, alpha, accumulate, stream);
}

}  // namespace nfs::cuda
