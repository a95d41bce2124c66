#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/vertex_normals.h"

namespace nfs::cuda {
namespace {

__device__ inline float3 load3(const float* p) {
  return make_float3(p[0], p[1], p[2]);
}
__device__ inline float3 sub3(float3 a, float3 b) {
  return make_float3(a.x - b.x, a.y - b.y, a.z - b.z);
}
__device__ inline float3 cross3(float3 a, float3 b) {
  return make_float3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
__device__ inline void atomic_add3(float* p, float3 v) {
  atomicAdd(p + 0, v.x);
  atomicAdd(p + 1, v.y);
  atomicAdd(p + 2, v.z);
}

// ∂loss/∂s at vertex v of one frame: (dn − n (n · dn)) / |s|, 0 where |s| = 0.
__device__ inline float3 sum_grad(const float* s, const float* dn) {
  const float3 sv = load3(s), g = load3(dn);
  const float len = sqrtf(sv.x * sv.x + sv.y * sv.y + sv.z * sv.z);
  if (!(len > 0.0f)) return make_float3(0.0f, 0.0f, 0.0f);
  const float inv = 1.0f / len;
  const float3 n = make_float3(sv.x * inv, sv.y * inv, sv.z * inv);
  const float ng = n.x * g.x + n.y * g.y + n.z * g.z;
  return make_float3((g.x - n.x * ng) * inv, (g.y - n.y * ng) * inv, (g.z - n.z * ng) * inv);
}

}  // namespace

// One thread per (frame, face): its face normal added to its three vertices' sums.
static __global__ void face_normal_scatter_kernel(float* sums, const float* positions,
                                                  const int32_t* faces, int64_t batch,
                                                  int64_t vertices, int64_t num_faces) {
  const int64_t total = batch * num_faces;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t b = i / num_faces, f = i - b * num_faces;
    const float* p = positions + b * vertices * 3;
    const int32_t t0 = faces[f * 3], t1 = faces[f * 3 + 1], t2 = faces[f * 3 + 2];
    const float3 p0 = load3(p + t0 * 3);
    const float3 c = cross3(sub3(load3(p + t1 * 3), p0), sub3(load3(p + t2 * 3), p0));
    float* s = sums + b * vertices * 3;
    atomic_add3(s + t0 * 3, c);
    atomic_add3(s + t1 * 3, c);
    atomic_add3(s + t2 * 3, c);
  }
}

static __global__ void normalize_kernel(float* normals, const float* sums, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float3 s = load3(sums + i * 3);
    const float len = sqrtf(s.x * s.x + s.y * s.y + s.z * s.z);
    const float inv = len > 0.0f ? 1.0f / len : 0.0f;
    normals[i * 3 + 0] = s.x * inv;
    normals[i * 3 + 1] = s.y * inv;
    normals[i * 3 + 2] = s.z * inv;
  }
}

// One thread per (frame, face): G_f = Σ corner ∂s, then the cross product's gradient scattered.
static __global__ void face_normal_backward_kernel(float* dpositions, const float* sums,
                                                   const float* dnormals, const float* positions,
                                                   const int32_t* faces, int64_t batch,
                                                   int64_t vertices, int64_t num_faces) {
  const int64_t total = batch * num_faces;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t b = i / num_faces, f = i - b * num_faces;
    const int64_t off = b * vertices * 3;
    const int32_t t0 = faces[f * 3], t1 = faces[f * 3 + 1], t2 = faces[f * 3 + 2];
    const float3 g0 = sum_grad(sums + off + t0 * 3, dnormals + off + t0 * 3);
    const float3 g1 = sum_grad(sums + off + t1 * 3, dnormals + off + t1 * 3);
    const float3 g2 = sum_grad(sums + off + t2 * 3, dnormals + off + t2 * 3);
    const float3 G = make_float3(g0.x + g1.x + g2.x, g0.y + g1.y + g2.y, g0.z + g1.z + g2.z);
    const float* p = positions + off;
    const float3 p0 = load3(p + t0 * 3);
    const float3 e1 = sub3(load3(p + t1 * 3), p0), e2 = sub3(load3(p + t2 * 3), p0);
    const float3 d1 = cross3(e2, G), d2 = cross3(G, e1);
    float* dp = dpositions + off;
    atomic_add3(dp + t0 * 3, make_float3(-d1.x - d2.x, -d1.y - d2.y, -d1.z - d2.z));
    atomic_add3(dp + t1 * 3, d1);
    atomic_add3(dp + t2 * 3, d2);
  }
}

void vertex_normals_forward(float* normals, float* sums, const float* positions,
                            const int32_t* faces, int64_t batch, int64_t vertices,
                            int64_t num_faces, cudaStream_t stream) {
  const int64_t n = batch * vertices;
  if (n == 0) return;
  CUDA_CHECK(cudaMemsetAsync(sums, 0, sizeof(float) * n * 3, stream));
  if (num_faces > 0) {
    face_normal_scatter_kernel<<<grid_for(batch * num_faces), kBlock, 0, stream>>>(
        sums, positions, faces, batch, vertices, num_faces);
    CUDA_CHECK_LAUNCH();
  }
  normalize_kernel<<<grid_for(n), kBlock, 0, stream>>>(normals, sums, n);
  CUDA_CHECK_LAUNCH();
}

void vertex_normals_backward(float* dpositions, const float* sums, const float* dnormals,
                             const float* positions, const int32_t* faces, int64_t batch,
                             int64_t vertices, int64_t num_faces, cudaStream_t stream) {
  const int64_t n = batch * vertices;
  if (n == 0) return;
  CUDA_CHECK(cudaMemsetAsync(dpositions, 0, sizeof(float) * n * 3, stream));
  if (num_faces == 0) return;
  face_normal_backward_kernel<<<grid_for(batch * num_faces), kBlock, 0, stream>>>(
      dpositions, sums, dnormals, positions, faces, batch, vertices, num_faces);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
