// Fan triangulation of a polygon mesh: polygon (c0, c1, ..., cn-1) becomes the triangles
// (c0, ci, ci+1), i = 1..n-2, with the polygon's orientation. Each triangle remembers its polygon,
// so per-triangle results can be mapped back to the user's faces.
#pragma once
#include <Eigen/Core>

#include "geometry/polygon_mesh.h"

namespace nfs::geo {

// @param[in]  mesh    polygons (each with at least 3 corners)
// @param[out] F       #F by 3 triangle vertex indices, #F = Σ_p (size(p) − 2)
// @param[out] F_poly  #F polygon index of each triangle
void fan_triangulate(const PolygonMesh& mesh, Eigen::MatrixXi& F, Eigen::VectorXi& F_poly);

}  // namespace nfs::geo
