#include "geometry/load_mesh.h"

#include "geometry/fan_triangulate.h"
#include "geometry/read_obj.h"

namespace nfs::geo {

void load_mesh(const std::string& path, TriangleMesh& mesh) {
  mesh = TriangleMesh();
  std::vector<std::string> read_warnings;
  read_obj(path, mesh.poly, read_warnings);
  Eigen::MatrixXi F_all;
  Eigen::VectorXi poly_all, kept;
  fan_triangulate(mesh.poly, F_all, poly_all);
  check_mesh(path, mesh.poly.V, F_all, mesh.F, kept, mesh.report);
  mesh.F_poly.resize(kept.size());
  for (Eigen::Index t = 0; t < kept.size(); ++t) mesh.F_poly(t) = poly_all(kept(t));
  mesh.report.warnings.insert(mesh.report.warnings.begin(), read_warnings.begin(),
                              read_warnings.end());
}

}  // namespace nfs::geo
