#include "geometry/cotmatrix.h"

#include <Eigen/Geometry>
#include <vector>

namespace nfs::geo {

void cotmatrix(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, Eigen::SparseMatrix<double>& L) {
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(static_cast<size_t>(F.rows()) * 12 + V.rows());
  // The whole diagonal is in the pattern, a vertex in no triangle included (then 0), so callers
  // may add to L.diagonal() in place.
  for (Eigen::Index i = 0; i < V.rows(); ++i) t.emplace_back(i, i, 0.0);
  for (Eigen::Index f = 0; f < F.rows(); ++f) {
    for (int k = 0; k < 3; ++k) {
      // The angle at corner k is opposite the edge (i, j).
      const int c = F(f, k), i = F(f, (k + 1) % 3), j = F(f, (k + 2) % 3);
      const Eigen::Vector3d u = V.row(i) - V.row(c), v = V.row(j) - V.row(c);
      const double twice_area = u.cross(v).norm();
      // A zero-area triangle (check_mesh drops them) would give ∞ weights: it contributes 0.
      const double w = twice_area > 0 ? 0.5 * u.dot(v) / twice_area : 0.0;  // cot(angle) / 2
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
