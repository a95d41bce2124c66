#include "geometry/render.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nn/dispatch.h"

namespace nfs {

RasterCamera canonical_camera(int size) {
  RasterCamera c;
  // Calibrated with vertical_fill on the canonical ICT neutral's face region: 0.85 of the height
  // at a 20° vertical field of view (tests/geometry/test_rasterize.cpp checks it).
  c.fov_y = 20.0f * 3.14159265358979f / 180.0f;
  c.distance = 9.686f;
  c.width = size;
  c.height = size;
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

Tensor render_colored(const Tensor& positions, const Tensor& faces, const std::vector<float>& colors,
                      const RasterCamera& camera) {
  Tensor ids;
  Tensor shade = render_front(positions.to(Device::CPU), faces.to(Device::CPU), camera, &ids);
  const int64_t pixels = int64_t(camera.width) * camera.height;
  std::vector<float> s = shade.to_vector(), out(3 * pixels, 0.0f);
  std::vector<int32_t> id = ids.to_int_vector(), f = faces.to_int_vector();
  for (int64_t p = 0; p < pixels; ++p) {
    if (id[p] < 0) continue;
    const float light = s[p] / camera.albedo;  // cosine in [0, 1]
    for (int c = 0; c < 3; ++c) {
      float mean = 0.0f;
      for (int k = 0; k < 3; ++k) mean += colors[3 * f[3 * id[p] + k] + c] / 3.0f;
      out[c * pixels + p] = mean * (0.25f + 0.75f * light);
    }
  }
  return Tensor::from_vector({3, camera.height, camera.width}, out);
}

std::vector<float> heat_colors(const std::vector<float>& values, float max_value) {
  // Viridis at 0, 0.25, 0.5, 0.75, 1.
  static const float ramp[5][3] = {{0.267f, 0.005f, 0.329f}, {0.229f, 0.322f, 0.546f}, {0.128f, 0.567f, 0.551f},
                                   {0.369f, 0.789f, 0.383f}, {0.993f, 0.906f, 0.144f}};
  std::vector<float> out(values.size() * 3);
  for (size_t i = 0; i < values.size(); ++i) {
    const float t = max_value > 0.0f ? std::clamp(values[i] / max_value, 0.0f, 1.0f) * 4.0f : 0.0f;
    const int k = std::min(3, int(t));
    const float f = t - float(k);
    for (int c = 0; c < 3; ++c) out[i * 3 + c] = ramp[k][c] * (1.0f - f) + ramp[k + 1][c] * f;
  }
  return out;
}

std::vector<float> rotate_y(const std::vector<float>& p, float degrees) {
  const float a = degrees * 3.14159265358979f / 180.0f, c = std::cos(a), s = std::sin(a);
  std::vector<float> out(p.size());
  for (size_t i = 0; i + 2 < p.size(); i += 3) {
    out[i] = c * p[i] + s * p[i + 2];
    out[i + 1] = p[i + 1];
    out[i + 2] = -s * p[i] + c * p[i + 2];
  }
  return out;
}

Tensor vstack_images(const std::vector<Tensor>& images) {
  if (images.empty()) throw std::invalid_argument("vstack_images: no images");
  const int64_t W = images[0].size(2);
  int64_t H = 0;
  for (const Tensor& im : images) {
    if (im.ndim() != 3 || im.size(0) != 3 || im.size(2) != W)
      throw std::invalid_argument("vstack_images: images must be [3, H, W] of one width");
    H += im.size(1);
  }
  std::vector<float> out(3 * H * W);
  int64_t y0 = 0;
  for (const Tensor& im : images) {
    std::vector<float> v = im.to_vector();
    const int64_t h = im.size(1);
    for (int64_t c = 0; c < 3; ++c)
      std::copy(v.begin() + c * h * W, v.begin() + (c + 1) * h * W, out.begin() + (c * H + y0) * W);
    y0 += h;
  }
  return Tensor::from_vector({3, H, W}, out);
}

Tensor hstack_images(const std::vector<Tensor>& images) {
  if (images.empty()) throw std::invalid_argument("hstack_images: no images");
  const int64_t H = images[0].size(1);
  int64_t W = 0;
  for (const Tensor& im : images) {
    if (im.ndim() != 3 || im.size(0) != 3 || im.size(1) != H)
      throw std::invalid_argument("hstack_images: images must be [3, H, W] of one height");
    W += im.size(2);
  }
  std::vector<float> out(3 * H * W);
  int64_t x0 = 0;
  for (const Tensor& im : images) {
    std::vector<float> v = im.to_vector();
    const int64_t w = im.size(2);
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < w; ++x) out[(c * H + y) * W + x0 + x] = v[(c * H + y) * w + x];
    x0 += w;
  }
  return Tensor::from_vector({3, H, W}, out);
}

}  // namespace nfs
