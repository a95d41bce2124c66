// Writes a PolygonMesh back as Wavefront OBJ with new positions: the user's own polygons, texture
// coordinates, groups and materials, in their original order (mtllib lines are repeated; the .mtl
// files themselves are not touched). No vn lines: tools recompute normals from the new positions.
#pragma once
#include <Eigen/Core>
#include <string>

#include "geometry/polygon_mesh.h"

namespace nfs::geo {

// The file is written to a temporary file in the same folder and renamed over `path` only when
// complete, so a failure never leaves a partial file behind.
// @param[in] path  OBJ file to write
// @param[in] mesh  polygons, UVs, groups and materials to write
// @param[in] V     #V by 3 vertex positions to write (#V = mesh.V.rows())
// Throws std::runtime_error naming the file when V has the wrong size, holds a non-finite value,
// or the file cannot be written.
void write_obj(const std::string& path, const PolygonMesh& mesh, const Eigen::MatrixXd& V);

// Same, with the mesh's own positions.
inline void write_obj(const std::string& path, const PolygonMesh& mesh) {
  write_obj(path, mesh, mesh.V);
}

}  // namespace nfs::geo
