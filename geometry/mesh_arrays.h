// Conversions between the engine's mesh containers: flat float arrays (x,y,z per vertex, as
// tensors and files hold them), Eigen matrices (as geometry operators take them), tensors, and
// triangle-only PolygonMeshes (for writing OBJ results).
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "geometry/polygon_mesh.h"
#include "nn/tensor.h"

namespace nfs {

// [n·3] -> n by 3, and back.
Eigen::MatrixXd points_matrix(const std::vector<float>& xyz);
std::vector<float> points_vector(const Eigen::MatrixXd& V);
// [f·3] vertex indices -> f by 3.
Eigen::MatrixXi triangles_matrix(const std::vector<int32_t>& ijk);
// float [n, 3] and int32 [f, 3] tensors on `device`.
Tensor points_tensor(const Eigen::MatrixXd& V, Device device = Device::CPU);
Tensor triangles_tensor(const Eigen::MatrixXi& F, Device device = Device::CPU);
// A PolygonMesh whose polygons are the triangles F (no UVs, groups or materials).
geo::PolygonMesh triangle_polygons(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F);
// A PolygonMesh of polygons of any size: polygon p's vertices are corners[starts[p], starts[p+1])
// (starts has #P + 1 entries, the first 0, non-decreasing, the last corners.size()).
// Throws std::invalid_argument when starts does not describe corners so.
geo::PolygonMesh polygon_mesh(const Eigen::MatrixXd& V, const std::vector<int>& starts, const std::vector<int>& corners);

}  // namespace nfs
