#include <algorithm>
#include <vector>

#include "kernels/rasterize.h"
#include "kernels/rasterize_math.h"

namespace nfs::cpu {

void rasterize_forward(float* image, int32_t* triangle_id, const float* positions,
                       const int32_t* faces, int64_t batch, int64_t num_vertices,
                       int64_t num_faces, const RasterCamera& camera) {
  const int64_t W = camera.width, H = camera.height, pixels = W * H;
  std::vector<unsigned long long> keys(static_cast<size_t>(pixels));
  for (int64_t b = 0; b < batch; ++b) {
    const float* P = positions + b * num_vertices * 3;
    std::fill(keys.begin(), keys.end(), raster::kEmptyKey);
    for (int64_t f = 0; f < num_faces; ++f) {
      const int32_t* tri = faces + 3 * f;
      raster::ScreenTriangle t =
          raster::setup(P + 3 * tri[0], P + 3 * tri[1], P + 3 * tri[2], camera);
      if (!t.visible) continue;
      for (int j = t.y0; j <= t.y1; ++j)
        for (int i = t.x0; i <= t.x1; ++i) {
          const float d = raster::depth_at(t, i, j);
          if (d < 0.0f) continue;
          const unsigned long long k = raster::depth_key(d, static_cast<int32_t>(f));
          unsigned long long& slot = keys[j * W + i];
          if (k < slot) slot = k;
        }
    }
    float* img = image + b * 3 * pixels;
    for (int64_t px = 0; px < pixels; ++px) {
      const int32_t f = keys[px] == raster::kEmptyKey ? -1 : static_cast<int32_t>(keys[px] & 0xffffffffu);
      float value = 0.0f;
      if (f >= 0) {
        const int32_t* tri = faces + 3 * f;
        value = raster::shade(P + 3 * tri[0], P + 3 * tri[1], P + 3 * tri[2], camera);
      }
      img[px] = img[pixels + px] = img[2 * pixels + px] = value;
      if (triangle_id) triangle_id[b * pixels + px] = f;
    }
  }
}

}  // namespace nfs::cpu
