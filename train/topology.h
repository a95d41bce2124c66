// The mesh topologies training draws from (SPEC §6, topology augmentation): the ICT region's own
// triangulation and re-meshed copies whose vertices are new points on the ICT surface with
// barycentric coordinates into ICT triangles. Anything defined per ICT vertex (positions of any
// identity and expression, blendshape deltas, segment labels) carries over to a topology.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

#include "nn/tensor.h"
#include "train/ict_model.h"

namespace nfs {

struct Topology {
  std::string name;     // "ict" or "remesh-<N>-s<seed>"
  Eigen::MatrixXi F;    // #F by 3 triangles
  bool is_ict = true;   // identity map from the ICT vertices
  Eigen::VectorXi tri;  // re-mesh: ICT triangle of each vertex
  Eigen::MatrixXd bary;  // re-mesh: #V by 3 barycentric coordinates in it
  Eigen::MatrixXi ict_F;  // the ICT triangles the map refers to
  std::vector<int32_t> labels;  // segment label per vertex
  int64_t num_vertices = 0;

  // Per-ICT-vertex values [V_ict, C] (row-major) carried to this topology [V, C].
  std::vector<float> transfer(const std::vector<float>& ict_values, int channels) const;
  Tensor faces_tensor(Device device) const;
};

// The ICT triangulation with `labels` (per ICT vertex).
Topology ict_topology(const IctModel& model, const std::vector<int32_t>& labels);
// A re-mesh of the ICT neutral (canonical frame) to about `vertices` vertices; labels carried
// by the largest barycentric weight.
Topology remeshed_topology(const IctModel& model, const std::vector<int32_t>& labels, int vertices,
                           uint64_t seed);

}  // namespace nfs
