// Data-driven face segmentation for the skinning encoder's supervision (SPEC §6): vertices are
// grouped by how the 53 expression shapes move them, the groups are spatially contiguous and
// left/right symmetric, and the static head and neck are their own two segments.
//
// Method (deterministic for a given model):
//   1. motion profile of vertex i: m_i[k] = |Δ_k(i)| over the expression shapes; a vertex whose
//      total motion |m_i| is below `static_fraction` of the largest is static;
//   2. static vertices split into neck (below the lowest moving vertex) and head (the rest);
//   3. moving vertices of the subject's left half (x >= 0, where the `_L` shapes act) are
//      clustered by k-means (k-means++ seeding from a fixed seed) on the direction of their
//      motion profile and their position, k = (L - 2) / 2;
//   4. each cluster is made contiguous on the mesh: stray pieces join the neighbouring label they
//      share most edges with;
//   5. every right-half vertex takes the label of its mirror image (-x, y, z) on the left, offset
//      to the right-side twin of that segment.
// Labels: 0 = head, 1 = neck, 2 + 2c = left part of cluster c, 3 + 2c = its right twin.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nfs {

struct SegmentationOptions {
  int segments = 20;               // L ∈ {6, 14, 20, 24} (any even L >= 4 works)
  float static_fraction = 0.03f;   // of the largest total motion
  float position_weight = 1.0f;    // position vs motion direction in the clustering
  uint64_t seed = 1234;
  int iterations = 60;
};

// @param[in] neutral            #V by 3 positions, row-major (x toward the subject's left)
// @param[in] expression_deltas  #E by #V by 3 shape displacements, row-major
// @param[in] polygons           flattened polygon vertex indices with `polygon_sizes`
// @return #V labels in [0, L)
std::vector<int32_t> segment_face(const std::vector<float>& neutral,
                                  const std::vector<float>& expression_deltas, int64_t num_shapes,
                                  const std::vector<int32_t>& polygons,
                                  const std::vector<int32_t>& polygon_sizes,
                                  const SegmentationOptions& options);

// Distinct colours for label pictures (RGB in [0, 1]).
void segment_color(int label, float rgb[3]);

}  // namespace nfs
