#include "geometry/vertex_normals.h"

#include <Eigen/Geometry>

namespace nfs::geo {

void vertex_normals(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, Eigen::MatrixXd& N) {
  N = Eigen::MatrixXd::Zero(V.rows(), 3);
  for (Eigen::Index f = 0; f < F.rows(); ++f) {
    const Eigen::Vector3d p0 = V.row(F(f, 0)), p1 = V.row(F(f, 1)), p2 = V.row(F(f, 2));
    const Eigen::RowVector3d n = (p1 - p0).cross(p2 - p0).transpose();
    for (int k = 0; k < 3; ++k) N.row(F(f, k)) += n;
  }
  for (Eigen::Index i = 0; i < N.rows(); ++i) {
    const double len = N.row(i).norm();
    if (len > 0) N.row(i) /= len;
  }
}

}  // namespace nfs::geo
