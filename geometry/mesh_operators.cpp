#include "geometry/mesh_operators.h"

#include "geometry/cotmatrix.h"
#include "geometry/grad.h"
#include "geometry/laplacian_eigs.h"
#include "geometry/massmatrix.h"
#include "geometry/vertex_normals.h"

namespace nfs::geo {

void compute_mesh_operators(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int k,
                            MeshOperators& ops) {
  Eigen::MatrixXd N;
  vertex_normals(V, F, N);
  tangent_frames(N, ops.frames);
  cotmatrix(V, F, ops.L);
  lumped_mass(V, F, ops.mass);
  laplacian_eigs(ops.L, ops.mass, k, ops.evals, ops.evecs);
  grad_operators(V, ops.L, ops.frames, ops.gradX, ops.gradY);
}

}  // namespace nfs::geo
