// The front-view renderer the image encoder sees (SPEC §4), over the rasterizer kernels.
#pragma once
#include <string>
#include <vector>

#include "kernels/rasterize.h"
#include "nn/tensor.h"

namespace nfs {

// The camera of the canonical frame: fixed once so that the canonical ICT neutral's face region
// (vertices [0, 9409)) fills about 85% of the image height, then never changed. A checkpoint
// records the camera it was trained with (model configuration), so it renders the same way.
// The network sees 256 × 256; pictures for people may use another square `size`: the same field
// of view gives the same framing.
RasterCamera canonical_camera(int size = 256);

// Fraction of the image height spanned by the projections of `num_points` points [n, 3].
float vertical_fill(const RasterCamera& camera, const float* points, int64_t num_points);

// Renders meshes sharing one triangle list on the positions' device.
// @param[in] positions  [B, V, 3] (or [V, 3]) float vertex positions, canonical frame
// @param[in] faces      [F, 3] int32 triangles, same device
// @param[out] triangle_id  optional: [B, H, W] int32 index of the visible triangle, -1 = none
// @return [B, 3, H, W] image in [0, 1] (B = 1 for [V, 3] input)
Tensor render_front(const Tensor& positions, const Tensor& faces, const RasterCamera& camera,
                    Tensor* triangle_id = nullptr);

// A picture for people: each visible triangle in the mean colour of its vertices, lit like the
// network's input. CPU. positions [V, 3], faces [F, 3] int32, colors [V, 3] in [0, 1].
// @return [3, H, W] image
Tensor render_colored(const Tensor& positions, const Tensor& faces, const std::vector<float>& colors,
                      const RasterCamera& camera);

// Per-vertex colours [V, 3] of a heat map of `values` [V]: 0 dark blue, through green, to yellow at
// max_value and above (a viridis-like ramp, readable in grey too).
std::vector<float> heat_colors(const std::vector<float>& values, float max_value);

// Rotates points about the Y axis by `degrees` (a side view is -90: the subject's left faces +Z).
std::vector<float> rotate_y(const std::vector<float>& points, float degrees);

// Places images [3, H, W] side by side into one [3, H, ΣW] strip.
Tensor hstack_images(const std::vector<Tensor>& images);
// Stacks images [3, H, W] of one width top to bottom: [3, ΣH, W].
Tensor vstack_images(const std::vector<Tensor>& images);

}  // namespace nfs
