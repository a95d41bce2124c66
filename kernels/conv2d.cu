#include <algorithm>

#include "kernels/conv2d.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/matmul.h"

namespace nfs::cuda {

namespace {

// col[bb, k, p] for n batch entries of x (already offset to the first one): k = (ci·kh + i)·kw + j,
// p = oh·Wo + ow; zero where the tap falls in the padding.
__global__ void im2col_kernel(float* col, const float* x, int64_t total, Conv2dShape s) {
  const int64_t K = s.in_channels * s.kernel_h * s.kernel_w, P = s.out_h * s.out_w;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total;
       idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t p = idx % P, k = (idx / P) % K, bb = idx / (P * K);
    const int64_t ci = k / (s.kernel_h * s.kernel_w), tap = k % (s.kernel_h * s.kernel_w);
    const int64_t i = tap / s.kernel_w, j = tap % s.kernel_w;
    const int64_t h = (p / s.out_w) * s.stride - s.padding + i;
    const int64_t w = (p % s.out_w) * s.stride - s.padding + j;
    const bool inside = h >= 0 && h < s.height && w >= 0 && w < s.width;
    col[idx] = inside ? x[((bb * s.in_channels + ci) * s.height + h) * s.width + w] : 0.0f;
  }
}

// The adjoint of im2col as a gather: each input pixel sums the column entries of the taps that
// read it (no atomics, deterministic). Overwrites dx.
__global__ void col2im_kernel(float* dx, const float* dcol, int64_t total, Conv2dShape s) {
  const int64_t K = s.in_channels * s.kernel_h * s.kernel_w, P = s.out_h * s.out_w;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total;
       idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t w = idx % s.width, h = (idx / s.width) % s.height;
    const int64_t ci = (idx / (s.width * s.height)) % s.in_channels;
    const int64_t bb = idx / (s.width * s.height * s.in_channels);
    const float* col = dcol + bb * K * P;
    float acc = 0.0f;
    for (int64_t i = 0; i < s.kernel_h; ++i) {
      const int64_t hh = h + s.padding - i;  // = oh·stride
      if (hh < 0 || hh % s.stride != 0 || hh / s.stride >= s.out_h) continue;
      const int64_t oh = hh / s.stride;
      for (int64_t j = 0; j < s.kernel_w; ++j) {
        const int64_t ww = w + s.padding - j;
        if (ww < 0 || ww % s.stride != 0 || ww / s.stride >= s.out_w) continue;
        const int64_t k = (ci * s.kernel_h + i) * s.kernel_w + j;
        acc += col[k * P + oh * s.out_w + ww / s.stride];
      }
    }
    dx[idx] = acc;
  }
}

__global__ void channel_bias_add_kernel(float* y, const float* bias, int64_t total, int64_t plane,
                                        int64_t channels) {
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total;
       idx += (int64_t)gridDim.x * blockDim.x)
    y[idx] += bias[(idx / plane) % channels];
}

// One block per output channel: dbias[co] += Σ_{b, p} dy[b, co, p].
__global__ void channel_bias_backward_kernel(float* dbias, const float* dy, int64_t batch,
                                             int64_t plane, int64_t channels) {
  __shared__ float part[kBlock / 32];
  const int64_t co = blockIdx.x;
  float acc = 0.0f;
  for (int64_t e = threadIdx.x; e < batch * plane; e += blockDim.x)
    acc += dy[((e / plane) * channels + co) * plane + e % plane];
  for (int off = 16; off > 0; off >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, off);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) part[warp] = acc;
  __syncthreads();
  if (threadIdx.x == 0) {
    float t = 0.0f;
    for (int k = 0; k < kBlock / 32; ++k) t += part[k];
    dbias[co] += t;
  }
}

void im2col(float* col, const float* x, int64_t n, const Conv2dShape& s, cudaStream_t stream) {
  const int64_t total = n * conv2d_col_floats(s);
  im2col_kernel<<<grid_for(total), kBlock, 0, stream>>>(col, x, total, s);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

void conv2d_forward(float* y, const float* x, const float* weight, const float* bias,
                    const Conv2dShape& s, float* workspace, int64_t workspace_batch,
                    cudaStream_t stream) {
  const int64_t K = s.in_channels * s.kernel_h * s.kernel_w, P = s.out_h * s.out_w;
  const int64_t Co = s.out_channels;
  if (s.batch == 0 || Co == 0 || P == 0) return;
  const int64_t x_stride = s.in_channels * s.height * s.width;
  for (int64_t b0 = 0; b0 < s.batch; b0 += workspace_batch) {
    const int64_t n = std::min(workspace_batch, s.batch - b0);
    im2col(workspace, x + b0 * x_stride, n, s, stream);
    // y[b] [Co, P] = W [Co, K] · col[b] [K, P], W shared by the batch.
    gemm(y + b0 * Co * P, weight, workspace, GemmShape{n, Co, P, K, false, false, 0, K * P, Co * P},
         1.0f, 0.0f, stream);
  }
  if (bias) {
    const int64_t total = s.batch * Co * P;
    channel_bias_add_kernel<<<grid_for(total), kBlock, 0, stream>>>(y, bias, total, P, Co);
    CUDA_CHECK_LAUNCH();
  }
}

void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                     const float* weight, const Conv2dShape& s, float* workspace,
                     int64_t workspace_batch, cudaStream_t stream) {
  const int64_t K = s.in_channels * s.kernel_h * s.kernel_w, P = s.out_h * s.out_w;
  const int64_t Co = s.out_channels;
  const int64_t x_stride = s.in_channels * s.height * s.width;
  if (s.batch == 0) return;
  if (Co == 0 || P == 0) {  // no output touches the input: dx = 0, parameters unchanged
    if (dx) CUDA_CHECK(cudaMemsetAsync(dx, 0, sizeof(float) * s.batch * x_stride, stream));
    return;
  }
  for (int64_t b0 = 0; b0 < s.batch; b0 += workspace_batch) {
    const int64_t n = std::min(workspace_batch, s.batch - b0);
    if (dweight) {
      im2col(workspace, x + b0 * x_stride, n, s, stream);
      // dW [Co, K] += dy[b] [Co, P] · col[b]ᵀ, one batch entry after another.
      for (int64_t bb = 0; bb < n; ++bb)
        gemm(dweight, dy + (b0 + bb) * Co * P, workspace + bb * K * P,
             GemmShape{1, Co, K, P, false, true, 0, 0, 0}, 1.0f, 1.0f, stream);
    }
    if (dx) {
      // dcol[b] [K, P] = Wᵀ · dy[b], then folded back onto the input pixels.
      gemm(workspace, weight, dy + b0 * Co * P,
           GemmShape{n, K, P, Co, true, false, 0, Co * P, K * P}, 1.0f, 0.0f, stream);
      const int64_t total = n * x_stride;
      col2im_kernel<<<grid_for(total), kBlock, 0, stream>>>(dx + b0 * x_stride, workspace, total,
                                                            s);
      CUDA_CHECK_LAUNCH();
    }
  }
  if (dbias) {
    channel_bias_backward_kernel<<<(unsigned)Co, kBlock, 0, stream>>>(dbias, dy, s.batch, P, Co);
    CUDA_CHECK_LAUNCH();
  }
}

}  // namespace nfs::cuda
