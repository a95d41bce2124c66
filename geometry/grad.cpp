#include "geometry/grad.h"

#include <Eigen/Dense>
#include <vector>

namespace nfs::geo {

void grad_operators(const Eigen::MatrixXd& V, const Eigen::SparseMatrix<double>& L,
                    const TangentFrames& frames, Eigen::SparseMatrix<double>& Gx,
                    Eigen::SparseMatrix<double>& Gy) {
  const Eigen::Index n = V.rows();
  std::vector<Eigen::Triplet<double>> tx, ty;
  tx.reserve(static_cast<size_t>(L.nonZeros()));
  ty.reserve(static_cast<size_t>(L.nonZeros()));
  std::vector<Eigen::Index> nbr;
  Eigen::MatrixX2d E;
  for (Eigen::Index i = 0; i < n; ++i) {
    // L is symmetric: column i lists the neighbours of i.
    nbr.clear();
    for (Eigen::SparseMatrix<double>::InnerIterator it(L, i); it; ++it)
      if (it.row() != i) nbr.push_back(it.row());
    if (nbr.empty()) continue;  // isolated vertex: zero gradient
    const Eigen::Vector3d p = V.row(i).transpose(), x = frames.X.row(i).transpose(),
                          y = frames.Y.row(i).transpose();
    E.resize(static_cast<Eigen::Index>(nbr.size()), 2);
    for (size_t k = 0; k < nbr.size(); ++k) {
      const Eigen::Vector3d e = V.row(nbr[k]).transpose() - p;
      E(k, 0) = e.dot(x);
      E(k, 1) = e.dot(y);
    }
    Eigen::Matrix2d normal = E.transpose() * E;
    normal.diagonal().array() += kGradRegularization;
    const Eigen::Matrix2Xd W = normal.inverse() * E.transpose();  // 2 × #neighbours
    for (size_t k = 0; k < nbr.size(); ++k) {
      tx.emplace_back(i, nbr[k], W(0, k));
      ty.emplace_back(i, nbr[k], W(1, k));
    }
    tx.emplace_back(i, i, -W.row(0).sum());
    ty.emplace_back(i, i, -W.row(1).sum());
  }
  Gx.resize(n, n);
  Gy.resize(n, n);
  Gx.setFromTriplets(tx.begin(), tx.end());
  Gy.setFromTriplets(ty.begin(), ty.end());
}

}  // namespace nfs::geo
