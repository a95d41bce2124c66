// Front-view software rasterizer (SPEC §4): perspective pinhole camera on +Z looking at the origin,
// back-face culling, z-buffer, flat Lambert shading with a point light at the camera, albedo
// `albedo`, background 0, three identical channels.
//
// Conventions: camera at (0, 0, distance), looking down -Z, Y up. A vertex p projects to
//   ndc = (f·p.x / (distance - p.z), f·p.y / (distance - p.z)),  f = 1 / tan(fov_y / 2),
//   pixel column = (ndc.x + 1) / 2 · width, row = (1 - ndc.y) / 2 · height (row 0 at the top).
// A pixel is covered when its centre lies inside or on the edge of the projected triangle.
// Front faces are counter-clockwise on screen (outward normals facing the camera); others are
// culled, as are triangles with a vertex at or behind the camera plane (depth <= near).
// Depth test: nearest camera depth wins; ties go to the smaller triangle index, so the result
// does not depend on drawing order. Shading of a triangle: albedo · max(0, n · l), n its unit
// normal, l the unit direction from its centroid to the camera.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
struct RasterCamera {
  float distance = 0.0f;  // camera position on +Z
  float fov_y = 0.0f;     // vertical field of view, radians
  int width = 256, height = 256;
  float albedo = 0.5f;
  float near = 1e-3f;     // minimum camera depth of a drawn vertex
};
}  // namespace nfs

namespace nfs::cpu {
// image: [batch, 3, H, W] (overwritten); triangle_id: [batch, H, W], -1 for background
// (overwritten; may be null). positions: [batch, V, 3]; faces: [F, 3] shared by the batch.
void rasterize_forward(float* image, int32_t* triangle_id, const float* positions,
                       const int32_t* faces, int64_t batch, int64_t num_vertices,
                       int64_t num_faces, const RasterCamera& camera);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
// Same contract. `depth_scratch` holds batch·H·W uint64 (from the caller's workspace).
void rasterize_forward(float* image, int32_t* triangle_id, unsigned long long* depth_scratch,
                       const float* positions, const int32_t* faces, int64_t batch,
                       int64_t num_vertices, int64_t num_faces, const RasterCamera& camera,
                       cudaStream_t stream);
}  // namespace nfs::cuda
#endif
