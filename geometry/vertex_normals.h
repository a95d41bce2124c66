// Area-weighted vertex normals (double precision, for operators): the unnormalized face normals
// (p1 − p0) × (p2 − p0), whose length is twice the triangle's area, summed at each vertex of the
// face, then normalized. Faces are counter-clockwise seen from outside, so a closed mesh's normals
// point outward. This is DiffusionNet's mesh_vertex_normals, and the same formula as the batched
// float kernel kernels/vertex_normals.h used by the network and the normal loss.
#pragma once
#include <Eigen/Core>

namespace nfs::geo {

// @param[in]  V  #V by 3 vertex positions
// @param[in]  F  #F by 3 triangle vertex indices
// @param[out] N  #V by 3 unit normals; a vertex in no triangle (or whose face normals cancel)
//                gets (0, 0, 0)
void vertex_normals(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, Eigen::MatrixXd& N);

}  // namespace nfs::geo
