#include "geometry/jacobian_operator.h"

#include <Eigen/Geometry>
#include <vector>

namespace nfs::geo {

void jacobian_operator(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F,
                       Eigen::SparseMatrix<double>& G) {
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(static_cast<size_t>(F.rows()) * 9);
  for (Eigen::Index f = 0; f < F.rows(); ++f) {
    const Eigen::Vector3d p[3] = {V.row(F(f, 0)).transpose(), V.row(F(f, 1)).transpose(),
                                  V.row(F(f, 2)).transpose()};
    const Eigen::Vector3d c = (p[1] - p[0]).cross(p[2] - p[0]);  // 2 A n
    if (!(c.squaredNorm() > 0)) continue;  // zero area (check_mesh drops them): a zero block
    const Eigen::Vector3d n_over_2a = c / c.squaredNorm();  // n / (2 A)
    for (int k = 0; k < 3; ++k) {
      const Eigen::Vector3d e = p[(k + 2) % 3] - p[(k + 1) % 3];  // opposite edge, CCW
      const Eigen::Vector3d grad = n_over_2a.cross(e);
      for (int b = 0; b < 3; ++b) t.emplace_back(3 * f + b, F(f, k), grad(b));
    }
  }
  G.resize(3 * F.rows(), V.rows());
  G.setFromTriplets(t.begin(), t.end());
}

}  // namespace nfs::geo
