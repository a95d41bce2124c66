#include "train/closest_point_baseline.h"

namespace nfs {

ClosestPointTransfer::ClosestPointTransfer(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F) : F_(F), tree_(V, F) {}

std::vector<std::vector<float>> ClosestPointTransfer::transfer(const std::vector<std::vector<float>>& deltas,
                                                               const Eigen::MatrixXd& points,
                                                               const Similarity& to_user) const {
  Eigen::VectorXd sqrD;
  Eigen::VectorXi I;
  Eigen::MatrixXd C, B;
  closest_points(tree_, points, sqrD, I, C, B);
  const Eigen::Matrix3d linear = to_user.s * to_user.R;
  std::vector<std::vector<float>> out;
  for (const auto& d : deltas) {
    std::vector<float> t(size_t(points.rows()) * 3);
    for (Eigen::Index v = 0; v < points.rows(); ++v) {
      Eigen::Vector3d x = Eigen::Vector3d::Zero();
      for (int c = 0; c < 3; ++c) {
        const int s = F_(I[v], c);
        x += B(v, c) * Eigen::Vector3d(d[3 * s], d[3 * s + 1], d[3 * s + 2]);
      }
      const Eigen::Vector3d y = linear * x;
      for (int c = 0; c < 3; ++c) t[3 * v + c] = float(y[c]);
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace nfs
