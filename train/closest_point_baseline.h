// The non-learned method the network must beat (the evaluation issue): closest-point transfer.
// Each target vertex, aligned to the canonical frame as nfs_infer aligns it, takes the
// displacement of the closest point of a source surface (barycentric on its triangle), mapped
// back into the target's frame. For rigging the source is the ICT generic neutral with its 53
// expression deltas; for retargeting it is the source's own neutral with its frames' deltas.
#pragma once
#include <Eigen/Core>
#include <vector>

#include "geometry/align.h"
#include "geometry/closest_point.h"

namespace nfs {

class ClosestPointTransfer {
 public:
  // source_V [Vs, 3] canonical, source_F triangles over it.
  ClosestPointTransfer(const Eigen::MatrixXd& source_V, const Eigen::MatrixXi& source_F);
  // Displacements [K][Vs·3] on the source carried to the target points: [K][Vt·3].
  // `points` are the target's vertices in the canonical frame (after alignment); `to_user` maps
  // the canonical frame back to the target's, and only its linear part (s·R) acts on displacements.
  std::vector<std::vector<float>> transfer(const std::vector<std::vector<float>>& deltas, const Eigen::MatrixXd& points,
                                           const Similarity& to_user) const;

 private:
  Eigen::MatrixXi F_;
  ClosestPointTree tree_;
};

}  // namespace nfs
