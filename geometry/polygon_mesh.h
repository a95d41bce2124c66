// A polygon mesh as the user's file holds it: positions, polygons of any size, texture
// coordinates, groups and materials. The engine computes on triangles (fan_triangulate), but
// results are written back with these polygons, so the user gets their own faces and UVs back.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

namespace nfs::geo {

struct PolygonMesh {
  Eigen::MatrixXd V;   // #V by 3 vertex positions, in file order
  Eigen::MatrixXd UV;  // #UV by 2 texture coordinates (vt), in file order; may be empty

  // Polygon p has corners [poly_start[p], poly_start[p + 1]) of corner_vertex / corner_uv.
  std::vector<int> poly_start{0};  // #P + 1 offsets
  std::vector<int> corner_vertex;  // vertex index (0-based) of each corner
  std::vector<int> corner_uv;      // UV index of each corner, -1 where the corner has none

  // Grouping kept for writing back (an OBJ's g / o and usemtl lines); -1 = none.
  std::vector<std::string> groups;     // grouping statements ("g head", "o Eyes"), first-seen order
  std::vector<std::string> materials;  // material names, in order of first appearance
  std::vector<int> poly_group;         // #P group index
  std::vector<int> poly_material;      // #P material index
  std::vector<std::string> mtllibs;    // material library file names (mtllib lines)

  int num_polygons() const { return static_cast<int>(poly_start.size()) - 1; }
  int polygon_size(int p) const { return poly_start[p + 1] - poly_start[p]; }
};

}  // namespace nfs::geo
