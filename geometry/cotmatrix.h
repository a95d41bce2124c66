// Cotangent Laplacian in weak form, with DiffusionNet's sign: positive SEMI-definite.
//   L(i, j) = −(cot α_ij + cot β_ij) / 2   for each mesh edge (i, j), α, β the opposite angles;
//   L(i, i) = −Σ_j L(i, j),                so L·1 = 0.
// L is symmetric and xᵀ L x = ∫ |∇x|² ≥ 0 over the piecewise-linear interpolant of x. It is the
// stiffness matrix (no mass): the strong-form Laplacian is M⁻¹ L with M from massmatrix.h.
// Obtuse triangles give negative cotangents; L stays PSD. The sparsity pattern holds the whole
// diagonal and every mesh edge, even one whose weight happens to be exactly 0, since the gradient
// operators use the pattern as the vertex's neighbours.
#pragma once
#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace nfs::geo {

// @param[in]  V  #V by 3 vertex positions
// @param[in]  F  #F by 3 triangle vertex indices (no degenerate triangles: see check_mesh)
// @param[out] L  #V by #V symmetric positive semi-definite cotangent Laplacian
void cotmatrix(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, Eigen::SparseMatrix<double>& L);

}  // namespace nfs::geo
