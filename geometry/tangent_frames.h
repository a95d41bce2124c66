// Per-vertex tangent frames, as DiffusionNet's build_tangent_frames: with n the unit vertex
// normal, X = normalize((1,0,0) projected onto the tangent plane), or (0,1,0) projected where
// |n · (1,0,0)| ≥ 0.9; Y = n × X. (X, Y, n) is right-handed and orthonormal.
#pragma once
#include <Eigen/Core>

namespace nfs::geo {

struct TangentFrames {
  Eigen::MatrixXd X;  // #V by 3 first tangent basis vector
  Eigen::MatrixXd Y;  // #V by 3 second tangent basis vector, n × X
  Eigen::MatrixXd N;  // #V by 3 unit normal the frame was built on
};

// @param[in]  N       #V by 3 unit vertex normals (vertex_normals); a zero row (isolated vertex)
//                     is replaced by (0, 0, 1), where the reference draws a random normal
// @param[out] frames  X, Y and the normals used
void tangent_frames(const Eigen::MatrixXd& N, TangentFrames& frames);

}  // namespace nfs::geo
