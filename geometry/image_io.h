// PNG output for pictures people look at (renders, segment maps, contact sheets).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/tensor.h"

namespace nfs {

// Writes an image tensor in [0, 1] (clamped): [3, H, W], [1, H, W] or [H, W]; a [B, ...] batch
// writes its first entry. Atomic (temporary file + rename).
void write_png(const std::string& path, const Tensor& image);
// Writes 8-bit interleaved pixels: channels 1, 3 or 4, rows top to bottom.
void write_png(const std::string& path, int width, int height, int channels,
               const std::vector<uint8_t>& pixels);

}  // namespace nfs
