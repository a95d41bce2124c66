#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/segment_weights.h"

namespace nfs::cuda {

// One block per column (b, l): its threads sum m s over the vertices in double, reduce in shared
// memory, then write the column's weights. B·L blocks (80 for a batch of 4 and 20 segments).
static __global__ void segment_weights_kernel(float* w, const float* s, const float* mass,
                                              int64_t V, int64_t L) {
  __shared__ double partial[kBlock];
  const int64_t b = blockIdx.x / L, l = blockIdx.x % L;
  const float* sb = s + b * V * L + l;
  float* wb = w + b * V * L + l;
  double acc = 0.0;
  for (int64_t v = threadIdx.x; v < V; v += blockDim.x) acc += (double)mass[v] * sb[v * L];
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  const double inv = partial[0] > 0.0 ? 1.0 / partial[0] : 0.0;
  for (int64_t v = threadIdx.x; v < V; v += blockDim.x)
    wb[v * L] = (float)((double)mass[v] * sb[v * L] * inv);
}

void segment_weights(float* w, const float* s, const float* mass, int64_t batch, int64_t verts,
                     int64_t segments, cudaStream_t stream) {
  if (batch * segments == 0 || verts == 0) return;
  segment_weights_kernel<<<(unsigned)(batch * segments), kBlock, 0, stream>>>(w, s, mass, verts,
                                                                              segments);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
