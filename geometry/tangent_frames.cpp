#include "geometry/tangent_frames.h"

#include <Eigen/Geometry>
#include <cmath>

namespace nfs::geo {

void tangent_frames(const Eigen::MatrixXd& N, TangentFrames& frames) {
  const Eigen::Index n = N.rows();
  frames.X.resize(n, 3);
  frames.Y.resize(n, 3);
  frames.N.resize(n, 3);
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::Vector3d nv = N.row(i).transpose();
    const double len = nv.norm();
    nv = len > 0 ? Eigen::Vector3d(nv / len) : Eigen::Vector3d(0, 0, 1);
    Eigen::Vector3d x =
        std::abs(nv.x()) < 0.9 ? Eigen::Vector3d(1, 0, 0) : Eigen::Vector3d(0, 1, 0);
    x = (x - nv * nv.dot(x)).normalized();
    frames.X.row(i) = x.transpose();
    frames.Y.row(i) = nv.cross(x).transpose();
    frames.N.row(i) = nv.transpose();
  }
}

}  // namespace nfs::geo
