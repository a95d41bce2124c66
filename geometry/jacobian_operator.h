// The per-triangle Jacobian of a deformation as a linear operator of the deformed positions
// (the Jacobian loss, paper eq. 4): on triangle f of the neutral mesh,
//     J_f = Σ_{i ∈ f} v'_i ∇φ_iᵀ   (3 × 3),
// with ∇φ_i the gradient of vertex i's hat function on the NEUTRAL triangle,
// ∇φ_i = n_f × e_i / (2 A_f), e_i the edge opposite i taken counter-clockwise.
// For an affine map v' = A v + t, J_f = A (I − n_f n_fᵀ): the map restricted to the triangle's
// plane (a triangle says nothing about the normal direction).
//
// Layout: the operator G is (3 #F) × #V with G(3f + b, i) = ∂φ_i/∂x_b on triangle f, applied to
// all three coordinates at once: (G V')(3f + b, a) = J_f(a, b). So (G V') reshaped to [#F, 3, 3]
// holds J_fᵀ at [f] (row b = derivative direction, column a = output coordinate); a squared-error
// loss between two such arrays is the same as between the J_f themselves.
#pragma once
#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace nfs::geo {

// @param[in]  V  #V by 3 neutral vertex positions
// @param[in]  F  #F by 3 triangle vertex indices (no degenerate triangles)
// @param[out] G  3#F by #V hat-function gradients, 9 entries per triangle
void jacobian_operator(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F,
                       Eigen::SparseMatrix<double>& G);

}  // namespace nfs::geo
