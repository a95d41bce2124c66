// One call from an OBJ file to a checked triangle mesh: read_obj, fan_triangulate, check_mesh.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

#include "geometry/check_mesh.h"
#include "geometry/polygon_mesh.h"

namespace nfs::geo {

struct TriangleMesh {
  PolygonMesh poly;        // the file's polygons, UVs, groups: for writing results back
  Eigen::MatrixXi F;       // #F by 3 triangles: fan triangulation, degenerate ones dropped
  Eigen::VectorXi F_poly;  // #F index into poly's polygons of each triangle
  MeshCheckReport report;  // counts and warnings (read_obj's warnings included)

  const Eigen::MatrixXd& V() const { return poly.V; }  // #V by 3 positions, the file's order
};

// @param[in]  path  OBJ file
// @param[out] mesh  polygons, triangles and the check report
// Throws std::runtime_error with a one-line message naming the file (see read_obj, check_mesh).
void load_mesh(const std::string& path, TriangleMesh& mesh);

// The same checks for polygons already in memory (mesh.poly set; a Python or DCC caller's
// arrays): fills F, F_poly and report; `name` labels the messages. A polygon of fewer than 3
// corners is an error here, as read_obj makes it one for a file.
void triangulate_and_check(const std::string& name, TriangleMesh& mesh);

}  // namespace nfs::geo
