// Area-weighted vertex normals of a batch of frames sharing one triangle list (the network's
// vertex features and the normal loss). For frame b, vertex v:
//   s[b,v] = Σ_{f ∋ v} (p1 − p0) × (p2 − p0)   (twice the face area times its unit normal)
//   n[b,v] = s[b,v] / |s[b,v]|, and 0 where |s| = 0 (a vertex in no triangle).
// Same formula as geometry/vertex_normals.h (DiffusionNet's mesh_vertex_normals).
// positions, normals, sums, dpositions, dnormals: [batch, vertices, 3] float; faces: [faces, 3]
// int32, counter-clockwise seen from outside (normals then point outward).
//
// vertex_normals_forward: writes normals and sums (sums is saved for the backward).
// vertex_normals_backward: dpositions = ∂loss/∂positions given dnormals = ∂loss/∂normals
//   (OVERWRITES dpositions: an activation gradient). Through n = s/|s|:
//   ∂s = (dn − n (n · dn)) / |s|; through s_f = e1 × e2 (e1 = p1 − p0, e2 = p2 − p0) with
//   G_f = Σ_{i ∈ f} ∂s_i: ∂p1 += e2 × G_f, ∂p2 += G_f × e1, ∂p0 −= both.
// CUDA: one thread per (frame, face) scattering with atomicAdd, so sums are accumulated in an
// order that varies from run to run (float rounding differs from the CPU's double sums).
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs::cpu {
void vertex_normals_forward(float* normals, float* sums, const float* positions,
                            const int32_t* faces, int64_t batch, int64_t vertices,
                            int64_t num_faces);
void vertex_normals_backward(float* dpositions, const float* sums, const float* dnormals,
                             const float* positions, const int32_t* faces, int64_t batch,
                             int64_t vertices, int64_t num_faces);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void vertex_normals_forward(float* normals, float* sums, const float* positions,
                            const int32_t* faces, int64_t batch, int64_t vertices,
                            int64_t num_faces, cudaStream_t stream);
void vertex_normals_backward(float* dpositions, const float* sums, const float* dnormals,
                             const float* positions, const int32_t* faces, int64_t batch,
                             int64_t vertices, int64_t num_faces, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
