#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/rasterize.h"
#include "kernels/rasterize_math.h"

namespace nfs::cuda {

// One thread per (mesh, triangle): walks the triangle's pixel box and keeps the nearest
// (depth, triangle) key per pixel with a 64-bit atomicMin. Face meshes have small triangles at
// 256×256, so a thread touches few pixels.
static __global__ void raster_kernel(unsigned long long* keys, const float* positions,
                                     const int32_t* faces, int64_t batch, int64_t num_vertices,
                                     int64_t num_faces, RasterCamera camera) {
  const int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (idx >= batch * num_faces) return;
  const int64_t b = idx / num_faces, f = idx % num_faces;
  const float* P = positions + b * num_vertices * 3;
  const int32_t* tri = faces + 3 * f;
  raster::ScreenTriangle t = raster::setup(P + 3 * tri[0], P + 3 * tri[1], P + 3 * tri[2], camera);
  if (!t.visible) return;
  unsigned long long* K = keys + b * (int64_t)camera.width * camera.height;
  for (int j = t.y0; j <= t.y1; ++j)
    for (int i = t.x0; i <= t.x1; ++i) {
      const float d = raster::depth_at(t, i, j);
      if (d < 0.0f) continue;
      atomicMin(&K[j * camera.width + i], raster::depth_key(d, (int32_t)f));
    }
}

static __global__ void resolve_kernel(float* image, int32_t* triangle_id,
                                      const unsigned long long* keys, const float* positions,
                                      const int32_t* faces, int64_t batch, int64_t num_vertices,
                                      RasterCamera camera) {
  const int64_t pixels = (int64_t)camera.width * camera.height;
  const int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (idx >= batch * pixels) return;
  const int64_t b = idx / pixels, px = idx % pixels;
  const unsigned long long k = keys[idx];
  const int32_t f = k == raster::kEmptyKey ? -1 : (int32_t)(k & 0xffffffffu);
  float value = 0.0f;
  if (f >= 0) {
    const float* P = positions + b * num_vertices * 3;
    const int32_t* tri = faces + 3 * f;
    value = raster::shade(P + 3 * tri[0], P + 3 * tri[1], P + 3 * tri[2], camera);
  }
  float* img = image + b * 3 * pixels;
  img[px] = img[pixels + px] = img[2 * pixels + px] = value;
  if (triangle_id) triangle_id[idx] = f;
}

void rasterize_forward(float* image, int32_t* triangle_id, unsigned long long* depth_scratch,
                       const float* positions, const int32_t* faces, int64_t batch,
                       int64_t num_vertices, int64_t num_faces, const RasterCamera& camera,
                       cudaStream_t stream) {
  const int64_t pixels = (int64_t)camera.width * camera.height;
  if (batch == 0 || pixels == 0) return;
  CUDA_CHECK(cudaMemsetAsync(depth_scratch, 0xff, sizeof(unsigned long long) * batch * pixels, stream));
  if (num_faces > 0) {
    const int64_t n = batch * num_faces;
    raster_kernel<<<(unsigned)((n + kBlock - 1) / kBlock), kBlock, 0, stream>>>(
        depth_scratch, positions, faces, batch, num_vertices, num_faces, camera);
    CUDA_CHECK_LAUNCH();
  }
  const int64_t n = batch * pixels;
  resolve_kernel<<<(unsigned)((n + kBlock - 1) / kBlock), kBlock, 0, stream>>>(
      image, triangle_id, depth_scratch, positions, faces, batch, num_vertices, camera);
  CUDA_CHECK_LAUNCH();
}

}  // namespace nfs::cuda
