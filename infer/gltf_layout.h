// The vertex layout of a mesh in glTF: glTF stores one UV per vertex, while an OBJ indexes UVs per
// polygon corner, so a mesh vertex on a UV seam (its corners use different UVs) becomes several
// glTF vertices. The layout says which mesh vertex each glTF vertex copies, so positions, normals
// and morph-target deltas computed on the mesh are gathered into glTF order.
//
// Order: glTF vertex i is mesh vertex i for i < #V (every mesh vertex once, in file order, even
// one in no triangle), taking the UV of its first corner in triangle order; the extra copies for
// seams follow, in order of first use. A mesh without seams keeps its vertex numbering.
// Corners are split only where their UV values differ (two vt lines with equal values do not split
// a vertex). A corner without a UV (index -1) counts as UV (0, 0).
// UVs are converted from OBJ's convention (origin bottom-left) to glTF's (origin top-left):
// (u, v) -> (u, 1 - v).
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "geometry/polygon_mesh.h"

namespace nfs {

struct GltfVertexLayout {
  int num_mesh_vertices = 0;         // #V
  std::vector<int32_t> mesh_vertex;  // [Vg] mesh vertex copied by each glTF vertex
  std::vector<float> uv;             // [Vg, 2] glTF texture coordinates, empty without UVs
  std::vector<uint32_t> triangles;   // [F, 3] glTF vertex indices
  Eigen::MatrixXi mesh_triangles;    // #F by 3, the same triangles in mesh vertex indices

  int num_vertices() const { return int(mesh_vertex.size()); }
  int num_triangles() const { return int(triangles.size() / 3); }
  // Per-mesh-vertex data [#V, channels] (row-major floats) -> [Vg, channels].
  std::vector<float> gather(const std::vector<float>& per_mesh_vertex, int channels) const;
  // #V by C matrix -> [Vg, C] row-major floats.
  std::vector<float> gather(const Eigen::MatrixXd& per_mesh_vertex) const;
};

// Without UVs: glTF vertices are the mesh vertices.
// @param[in] num_vertices  #V
// @param[in] F             #F by 3 triangle vertex indices in [0, #V)
GltfVertexLayout gltf_vertex_layout(int num_vertices, const Eigen::MatrixXi& F);

// With per-corner UVs, splitting seam vertices.
// @param[in] num_vertices  #V
// @param[in] F             #F by 3 triangle vertex indices in [0, #V)
// @param[in] UV            #UV by 2 texture coordinates, OBJ convention
// @param[in] F_uv          #F by 3 UV index of each triangle corner in [0, #UV), or -1
// Throws std::invalid_argument when an index is out of range or the sizes disagree.
GltfVertexLayout gltf_vertex_layout(int num_vertices, const Eigen::MatrixXi& F,
                                    const Eigen::MatrixXd& UV, const Eigen::MatrixXi& F_uv);

// A polygon mesh (OBJ) fan-triangulated as geo::fan_triangulate does, with its UVs when it has
// any.
GltfVertexLayout gltf_vertex_layout(const geo::PolygonMesh& mesh);

}  // namespace nfs
