// Per-triangle math shared by the CPU and CUDA rasterizers, so both decide coverage, depth and
// shading with the same formulas (see kernels/rasterize.h for the conventions).
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/rasterize.h"

#if defined(__CUDACC__)
#define NFS_HD __host__ __device__ __forceinline__
#else
#define NFS_HD inline
#endif

namespace nfs::raster {

struct ScreenTriangle {
  float x[3], y[3];   // pixel coordinates (row 0 at the top)
  float inv_depth[3];  // 1 / camera depth per vertex
  float area;          // signed area in pixel space; < 0 for front faces
  int x0, x1, y0, y1;  // inclusive pixel bounds, clipped to the image
  bool visible;
};

NFS_HD float focal(const RasterCamera& c) { return 1.0f / tanf(0.5f * c.fov_y); }

NFS_HD ScreenTriangle setup(const float* p0, const float* p1, const float* p2,
                            const RasterCamera& c) {
  ScreenTriangle t;
  t.visible = false;
  const float* p[3] = {p0, p1, p2};
  const float f = focal(c);
  for (int i = 0; i < 3; ++i) {
    const float depth = c.distance - p[i][2];
    if (!(depth > c.near)) return t;  // behind or too close to the camera (or NaN)
    t.inv_depth[i] = 1.0f / depth;
    t.x[i] = (f * p[i][0] * t.inv_depth[i] + 1.0f) * 0.5f * c.width;
    t.y[i] = (1.0f - f * p[i][1] * t.inv_depth[i]) * 0.5f * c.height;
  }
  t.area = (t.x[1] - t.x[0]) * (t.y[2] - t.y[0]) - (t.x[2] - t.x[0]) * (t.y[1] - t.y[0]);
  if (!(t.area < 0.0f)) return t;  // back-facing or degenerate
  const float minx = fminf(t.x[0], fminf(t.x[1], t.x[2]));
  const float maxx = fmaxf(t.x[0], fmaxf(t.x[1], t.x[2]));
  const float miny = fminf(t.y[0], fminf(t.y[1], t.y[2]));
  const float maxy = fmaxf(t.y[0], fmaxf(t.y[1], t.y[2]));
  // Pixel (i, j) has its centre at (i + 0.5, j + 0.5).
  t.x0 = (int)fmaxf(0.0f, ceilf(minx - 0.5f));
  t.x1 = (int)fminf((float)(c.width - 1), floorf(maxx - 0.5f));
  t.y0 = (int)fmaxf(0.0f, ceilf(miny - 0.5f));
  t.y1 = (int)fminf((float)(c.height - 1), floorf(maxy - 0.5f));
  t.visible = t.x0 <= t.x1 && t.y0 <= t.y1;
  return t;
}

// Camera depth of the triangle at pixel (i, j), or a negative value when the centre is outside.
NFS_HD float depth_at(const ScreenTriangle& t, int i, int j) {
  const float px = i + 0.5f, py = j + 0.5f;
  const float w0 = ((t.x[2] - t.x[1]) * (py - t.y[1]) - (t.y[2] - t.y[1]) * (px - t.x[1])) / t.area;
  const float w1 = ((t.x[0] - t.x[2]) * (py - t.y[2]) - (t.y[0] - t.y[2]) * (px - t.x[2])) / t.area;
  const float w2 = ((t.x[1] - t.x[0]) * (py - t.y[0]) - (t.y[1] - t.y[0]) * (px - t.x[0])) / t.area;
  if (w0 < 0.0f || w1 < 0.0f || w2 < 0.0f) return -1.0f;
  // 1/depth is linear in screen space under perspective.
  return 1.0f / (w0 * t.inv_depth[0] + w1 * t.inv_depth[1] + w2 * t.inv_depth[2]);
}

// Depth-test key: positive float bits order like the floats; the triangle index breaks ties.
NFS_HD unsigned long long depth_key(float depth, int32_t triangle) {
  union {
    float f;
    uint32_t u;
  } bits;
  bits.f = depth;
  return ((unsigned long long)bits.u << 32) | (uint32_t)triangle;
}
constexpr unsigned long long kEmptyKey = ~0ull;

NFS_HD float shade(const float* p0, const float* p1, const float* p2, const RasterCamera& c) {
  const float e1[3] = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
  const float e2[3] = {p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]};
  float n[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2],
                e1[0] * e2[1] - e1[1] * e2[0]};
  float l[3] = {-(p0[0] + p1[0] + p2[0]) / 3.0f, -(p0[1] + p1[1] + p2[1]) / 3.0f,
                c.distance - (p0[2] + p1[2] + p2[2]) / 3.0f};
  const float nn = sqrtf(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  const float ll = sqrtf(l[0] * l[0] + l[1] * l[1] + l[2] * l[2]);
  if (nn == 0.0f || ll == 0.0f) return 0.0f;
  const float cosine = (n[0] * l[0] + n[1] * l[1] + n[2] * l[2]) / (nn * ll);
  return c.albedo * fmaxf(0.0f, cosine);
}

}  // namespace nfs::raster
