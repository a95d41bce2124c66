// The k smallest eigenpairs of the generalized problem (L + ε I) φ = λ M φ, DiffusionNet's
// spectral basis: ε = kEigsShift = 1e-8 as its reference (geometry.py, compute_operators),
// eigenvectors M-orthonormal (Φᵀ M Φ = I), eigenvalues ascending and clipped at 0.
//
// How: M is diagonal, so with ψ = M^½ φ the problem is the standard symmetric one
// C ψ = λ ψ, C = M^-½ (L + ε I) M^-½. A Krylov method runs on C⁻¹ = M^½ (L + ε I)⁻¹ M^½, whose
// largest eigenvalues 1/λ are the smallest λ: shift-invert with shift 0, one sparse Cholesky
// factorization (Eigen::SimplicialLLT), then triangular solves.
//  - The standard form makes the Ritz vectors ψ Euclidean-orthonormal, so φ = M^-½ ψ is
//    M-orthonormal with no B-inner products (Spectra::SymGEigsShiftSolver would need them).
//  - Shift 0 instead of the reference's σ = ε: L + ε I is positive definite, so Cholesky applies
//    at any scale (L + ε(I − M) is indefinite where masses exceed 1). The eigenpairs are the
//    same; the shift only orders which ones converge first.
//  - The Krylov method is our block Lanczos (block_lanczos.h), not Spectra's single-vector
//    Lanczos: it finds repeated eigenvalues (symmetric meshes, identical eyeballs) that
//    single-vector Lanczos can miss, solves 8 right-hand sides per pass over the factor, and
//    reorthogonalizes with matrix-matrix products (Spectra spent 70% of its time in
//    matrix-vector reorthogonalization: 2.9 s against our 0.7 s on the ICT head, K = 128).
//    Spectra's SymEigsSolver remains the fallback where block Lanczos does not converge.
// Where a step fails (factorization or convergence) the shift grows 10×, up to 3 times, as the
// reference retries.
//
// Every connected component adds one near-zero eigenvalue (ε / its mean mass), isolated vertices
// one each of ε / their mass; meshes up to 500 vertices are solved densely. When k exceeds #V the
// extra columns are zero (eigenvalue 0): they add nothing to spectral filters.
// Each eigenvector's sign is fixed (its largest-magnitude entry is positive), so results are
// reproducible; within a repeated eigenvalue the basis is whatever the solver returns.
#pragma once
#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace nfs::geo {

constexpr double kEigsShift = 1e-8;

// Auto: dense up to 500 vertices (or k close to #V), block Lanczos above with Spectra as its
// fallback. The others force one path (tests compare them); every path falls back to dense where
// #V < 2k + 10.
enum class EigsSolver { Auto, Dense, BlockLanczos, Spectra };

// @param[in]  L      #V by #V symmetric positive semi-definite Laplacian (cotmatrix)
// @param[in]  M      #V positive lumped masses (lumped_mass)
// @param[in]  k      number of eigenpairs (DiffusionNet's K, 128 by default)
// @param[out] evals  k eigenvalues, ascending, ≥ 0
// @param[out] evecs  #V by k eigenvectors, M-orthonormal
// @param[in]  solver which path
// Throws std::runtime_error when the eigensolver fails after its retries.
void laplacian_eigs(const Eigen::SparseMatrix<double>& L, const Eigen::VectorXd& M, int k,
                    Eigen::VectorXd& evals, Eigen::MatrixXd& evecs,
                    EigsSolver solver = EigsSolver::Auto);

}  // namespace nfs::geo
