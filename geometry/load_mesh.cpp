#include "geometry/load_mesh.h"

#include <stdexcept>

#include "geometry/fan_triangulate.h"
#include "geometry/read_obj.h"

namespace nfs::geo {

void load_mesh(const std::string& path, TriangleMesh& mesh) {
  mesh = TriangleMesh();
  std::vector<std::string> read_warnings;
  read_obj(path, mesh.poly, read_warnings);
  triangulate_and_check(path, mesh);
  mesh.report.warnings.insert(mesh.report.warnings.begin(), read_warnings.begin(),
                              read_warnings.end());
}

void triangulate_and_check(const std::string& name, TriangleMesh& mesh) {
  for (int p = 0; p < mesh.poly.num_polygons(); ++p)
    if (mesh.poly.polygon_size(p) < 3)
      throw std::runtime_error(name + ": polygon " + std::to_string(p) + " has " +
                               std::to_string(mesh.poly.polygon_size(p)) + " corners (at least 3)");
  Eigen::MatrixXi F_all;
  Eigen::VectorXi poly_all, kept;
  fan_triangulate(mesh.poly, F_all, poly_all);
  check_mesh(name, mesh.poly.V, F_all, mesh.F, kept, mesh.report);
  mesh.F_poly.resize(kept.size());
  for (Eigen::Index t = 0; t < kept.size(); ++t) mesh.F_poly(t) = poly_all(kept(t));
}

}  // namespace nfs::geo
