#include "geometry/massmatrix.h"

#include <Eigen/Geometry>

namespace nfs::geo {

void vertex_areas(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, Eigen::VectorXd& A) {
  A = Eigen::VectorXd::Zero(V.rows());
  for (Eigen::Index f = 0; f < F.rows(); ++f) {
    const Eigen::Vector3d p0 = V.row(F(f, 0)), p1 = V.row(F(f, 1)), p2 = V.row(F(f, 2));
    const double third = (p1 - p0).cross(p2 - p0).norm() / 6.0;
    for (int k = 0; k < 3; ++k) A(F(f, k)) += third;
  }
}

void lumped_mass(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, Eigen::VectorXd& M) {
  vertex_areas(V, F, M);
  if (M.size() > 0) M.array() += kMassEps * M.mean();
}

}  // namespace nfs::geo
