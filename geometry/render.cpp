#include "geometry/render.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nn/dispatch.h"

namespace nfs {

RasterCamera canonical_camera() {
  RasterCamera c;
  // Calibrated with vertical_fill on the canonical ICT neutral's face region: 0.85 of the height
  // at a 20° vertical field of view (tests/geometry/test_rasterize.cpp checks it).
  c.fov_y = 20.0f * 3.14159265358979f / 180.0f;
  c.distance = 9.686f;
  c.width = 256;
  c.height = 256;
  c.albedo = 0.5f;
  return c;
}

float vertical_fill(const RasterCamera& camera, const float* points, int64_t n) {
  const float f = 1.0f / std::tan(0.5f * camera.fov_y);
  float lo = 1e30f, hi = -1e30f;
  for (int64_t i = 0; i < n; ++i) {
    const float ndc_y = f * points[3 * i + 1] / (camera.distance - points[3 * i + 2]);
    lo = std::min(lo, ndc_y);
    hi = std::max(hi, ndc_y);
  }
  return n > 0 ? (hi - lo) / 2.0f : 0.0f;
}

Tensor render_front(const Tensor& positions, const Tensor& faces, const RasterCamera& camera,
                    Tensor* triangle_id) {
  if (positions.ndim() < 2 || positions.ndim() > 3 || positions.size(-1) != 3)
    throw std::invalid_argument("render_front: positions must be [B, V, 3] or [V, 3], got " +
                                positions.shape().str());
  if (faces.ndim() != 2 || faces.size(1) != 3 || faces.dtype() != DType::I32)
    throw std::invalid_argument("render_front: faces must be int32 [F, 3], got " + faces.shape().str());
  check_same_device(positions, faces, "render_front");
  const int64_t B = positions.ndim() == 3 ? positions.size(0) : 1;
  const int64_t V = positions.size(-2), F = faces.size(0);
  const Device dev = positions.device();
  Tensor image = Tensor::empty({B, 3, camera.height, camera.width}, dev);
  Tensor ids;
  if (triangle_id) ids = Tensor::empty({B, camera.height, camera.width}, dev, DType::I32);
  int32_t* ids_ptr = triangle_id ? ids.i32() : nullptr;
#if NFS_WITH_CUDA
  Tensor scratch;  // 64-bit depth keys, borrowed from the allocator as float pairs
  if (dev == Device::CUDA) scratch = Tensor::empty({B, camera.height, camera.width, 2}, dev);
#endif
  NFS_DISPATCH(dev,
               cpu::rasterize_forward(image.f32(), ids_ptr, positions.f32(), faces.i32(), B, V, F, camera),
               cuda::rasterize_forward(image.f32(), ids_ptr,
                                       static_cast<unsigned long long*>(scratch.raw()),
                                       positions.f32(), faces.i32(), B, V, F, camera, cuda::stream()));
  if (triangle_id) *triangle_id = ids;
  return image;
}

}  // namespace nfs
