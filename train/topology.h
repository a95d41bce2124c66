// The mesh topologies training draws from (SPEC §6, topology augmentation): the ICT region's own
// triangulation and re-meshed copies whose vertices are new points on the ICT surface with
// barycentric coordinates into ICT triangles. Anything defined per ICT vertex (positions of any
// identity and expression, blendshape deltas, segment labels) carries over to a topology.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

#include "nn/mesh_forward.h"
#include "train/ict_model.h"

namespace nfs {

// name "ict" or "remesh-<N>-s<seed>"; F and num_vertices from MeshTopology.
struct Topology : MeshTopology {
  bool is_ict = true;   // identity map from the ICT vertices
  Eigen::VectorXi tri;  // re-mesh: ICT triangle of each vertex
  Eigen::MatrixXd bary;  // re-mesh: #V by 3 barycentric coordinates in it
  Eigen::MatrixXi ict_F;  // the ICT triangles the map refers to
  std::vector<int32_t> labels;  // segment label per vertex

  // Per-ICT-vertex values [V_ict, C] (row-major) carried to this topology [V, C].
  std::vector<float> transfer(const std::vector<float>& ict_values, int channels) const;
};

// The ICT triangulation with `labels` (per ICT vertex).
Topology ict_topology(const IctModel& model, const std::vector<int32_t>& labels);
// A re-mesh of the ICT neutral (canonical frame) to about `vertices` vertices; labels carried
// by the largest barycentric weight.
Topology remeshed_topology(const IctModel& model, const std::vector<int32_t>& labels, int vertices,
                           uint64_t seed);

}  // namespace nfs
