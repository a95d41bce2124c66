#include "geometry/fan_triangulate.h"

namespace nfs::geo {

void fan_triangulate(const PolygonMesh& mesh, Eigen::MatrixXi& F, Eigen::VectorXi& F_poly) {
  Eigen::Index count = 0;
  for (int p = 0; p < mesh.num_polygons(); ++p) count += std::max(0, mesh.polygon_size(p) - 2);
  F.resize(count, 3);
  F_poly.resize(count);
  Eigen::Index t = 0;
  for (int p = 0; p < mesh.num_polygons(); ++p) {
    const int* c = mesh.corner_vertex.data() + mesh.poly_start[p];
    for (int i = 1; i + 1 < mesh.polygon_size(p); ++i, ++t) {
      F(t, 0) = c[0];
      F(t, 1) = c[i];
      F(t, 2) = c[i + 1];
      F_poly(t) = p;
    }
  }
}

}  // namespace nfs::geo
