#include "geometry/image_io.h"

#include <algorithm>
#include <stdexcept>

#include "geometry/atomic_write.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>

namespace nfs {

void write_png(const std::string& path, int width, int height, int channels,
               const std::vector<uint8_t>& pixels) {
  if (width <= 0 || height <= 0 || (channels != 1 && channels != 3 && channels != 4) ||
      pixels.size() != size_t(width) * height * channels)
    throw std::invalid_argument(path + ": bad image size for PNG");
  std::string bytes;
  auto sink = [](void* ctx, void* data, int size) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size);
  };
  if (!stbi_write_png_to_func(sink, &bytes, width, height, channels, pixels.data(), width * channels))
    throw std::runtime_error(path + ": PNG encoding failed");
  write_file_atomic(path, bytes);
}

void write_png(const std::string& path, const Tensor& image) {
  Tensor t = image.to(Device::CPU);
  Shape s = t.shape();
  int64_t C = 1, H, W;
  if (s.ndim == 2) {
    H = s[0];
    W = s[1];
  } else if (s.ndim == 3 || s.ndim == 4) {
    C = s[-3];
    H = s[-2];
    W = s[-1];
  } else {
    throw std::invalid_argument(path + ": cannot write a PNG from shape " + s.str());
  }
  if (C != 1 && C != 3) throw std::invalid_argument(path + ": PNG needs 1 or 3 channels, got " + s.str());
  const float* src = t.f32();
  std::vector<uint8_t> px(static_cast<size_t>(H * W * C));
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < H * W; ++i) {
      const float v = std::clamp(src[c * H * W + i], 0.0f, 1.0f);
      px[i * C + c] = static_cast<uint8_t>(v * 255.0f + 0.5f);
    }
  write_png(path, (int)W, (int)H, (int)C, px);
}

}  // namespace nfs
