// Per-vertex gradient operators in the vertices' tangent frames, as DiffusionNet's build_grad:
// for vertex i with outgoing edges e_ij (j its neighbours in the Laplacian's sparsity pattern),
// the gradient g ∈ R² solves the regularized least squares
//     min_g Σ_j (g · ê_ij − (u_j − u_i))² + 1e-5 |g|²,   ê_ij = (e_ij · X_i, e_ij · Y_i),
// so g = (ÊᵀÊ + 1e-5 I)⁻¹ Êᵀ (u_N − u_i). Gx and Gy hold its two components (the real and imaginary
// parts of the reference's complex operator): (Gx u)_i = g · X_i, (Gy u)_i = g · Y_i.
// The regularizer is absolute, so it matters for meshes with very short edges (as in the
// reference); meshes are brought to the canonical frame first (SPEC §5).
#pragma once
#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "geometry/tangent_frames.h"

namespace nfs::geo {

constexpr double kGradRegularization = 1e-5;

// @param[in]  V       #V by 3 vertex positions
// @param[in]  L       #V by #V symmetric matrix whose off-diagonal pattern lists each vertex's
//                     neighbours (cotmatrix); only the pattern is read
// @param[in]  frames  tangent frames (tangent_frames)
// @param[out] Gx      #V by #V gradient component along X
// @param[out] Gy      #V by #V gradient component along Y
void grad_operators(const Eigen::MatrixXd& V, const Eigen::SparseMatrix<double>& L,
                    const TangentFrames& frames, Eigen::SparseMatrix<double>& Gx,
                    Eigen::SparseMatrix<double>& Gy);

}  // namespace nfs::geo
