#include "geometry/cotmatrix.h"

#include <vector>

#include <Eigen/Geometry>

namespace nfs::geo {

void cotmatrix(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F,
               Eigen::SparseMatrix<double>& L) {
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(static_cast<size_t>(F.rows()) * 12);
  for (Eigen::Index f = 0; f < F.rows(); ++f) {
    for (int k = 0; k < 3; ++k) {
      // The angle at corner k is opposite the edge (i, j).
      const int c = F(f, k), i = F(f, (k + 1) % 3), j = F(f, (k + 2) % 3);
      const Eigen::Vector3d u = V.row(i) - V.row(c), v = V.row(j) - V.row(c);
      const double w = 0.5 * u.dot(v) / u.cross(v).norm();  // cot(angle) / 2
      t.emplace_back(i, j, -w);
      t.emplace_back(j, i, -w);
      t.emplace_back(i, i, w);
      t.emplace_back(j, j, w);
    }
  }
  L.resize(V.rows(), V.rows());
  L.setFromTriplets(t.begin(), t.end());
  L.makeCompressed();
}

}  // namespace nfs::geo
