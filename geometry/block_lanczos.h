// Block Lanczos with full reorthogonalization: the largest eigenpairs of a symmetric positive
// semi-definite operator known only by its action on blocks of vectors (laplacian_eigs applies it
// to the shift-inverted Laplacian).
//
// Why blocks: a block of b vectors finds eigenvalues of multiplicity up to b reliably
// (single-vector Lanczos, Spectra's included, can miss copies of an exactly repeated eigenvalue:
// symmetric meshes, identical eyeballs), the operator is applied to b vectors at once (one pass
// over a sparse factor solves b systems), and reorthogonalization becomes matrix-matrix work. No
// restarts: the basis grows until the wanted pairs converge (2.5k columns for the squared
// shift-inverted Laplacian of laplacian_eigs) or reaches max_basis (then it reports failure).
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <functional>

namespace nfs::geo {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct BlockLanczosOptions {
  int block = 8;      // vectors per block
  double tol = 1e-8;  // converged when ‖Op y − θ y‖ ≤ tol · θ for every wanted pair
  int max_basis = 0;  // basis columns before giving up; 0: min(n, 8k + 8·block)
  uint64_t seed = 1;  // of the random start block (results are reproducible)
};

// Y = Op X for X, Y row-major n by block (Y is sized by the caller).
using BlockOperator = std::function<void(const RowMatrixXd& X, RowMatrixXd& Y)>;

// @param[in]  op       the operator (symmetric positive semi-definite)
// @param[in]  n        its size
// @param[in]  k        pairs wanted (k + block ≤ n)
// @param[in]  options  block size, tolerance, basis limit
// @param[out] theta    k largest eigenvalues, descending
// @param[out] vectors  n by k orthonormal eigenvectors
// @return false when the pairs did not converge within the basis limit (outputs then undefined)
bool block_lanczos_largest(const BlockOperator& op, Eigen::Index n, int k,
                           const BlockLanczosOptions& options, Eigen::VectorXd& theta,
                           Eigen::MatrixXd& vectors);

}  // namespace nfs::geo
