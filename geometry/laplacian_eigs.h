// The k smallest eigenpairs of the generalized problem (L + ε I) φ = λ M φ, DiffusionNet's
// spectral basis: ε = kEigsShift = 1e-8 as its reference (geometry.py, compute_operators),
// eigenvectors M-orthonormal (Φᵀ M Φ = I), eigenvalues ascending and clipped at 0.
//
// How: M is diagonal, so with ψ = M^½ φ the problem is the standard symmetric one
// C ψ = λ ψ, C = M^-½ (L + ε I) M^-½. A Krylov method runs on the shift-inverted
// Op = M^½ (L + ε I + σ M)⁻¹ M^½, whose largest eigenvalues ν = 1/(λ + σ) are the smallest λ:
// one sparse Cholesky factorization (Eigen::SimplicialLLT), then triangular solves.
//  - The standard form makes the Ritz vectors ψ Euclidean-orthonormal, so φ = M^-½ ψ is
//    M-orthonormal with no B-inner products (Spectra::SymGEigsShiftSolver would need them).
//  - σ = 0.01 · 4π / area (about 1% of the first non-zero eigenvalue) instead of the reference's
//    σ = ε: L + ε I + σ M is positive definite, so Cholesky applies at any scale (L + ε(I − M) is
//    indefinite where masses exceed 1), and ν stays within a few orders of magnitude for the
//    near-zero modes of tiny components (1e5 on the ICT head with σ = 0, which let round-off stall
//    convergence). The eigenpairs are the reference's: λ = 1/ν − σ.
//  - The Krylov method is our block Lanczos (block_lanczos.h) on Op², not Spectra's single-vector
//    Lanczos: blocks of 8 find repeated eigenvalues (symmetric meshes, identical eyeballs) that
//    single-vector Lanczos can miss (Spectra did, on icospheres), solve 8 right-hand sides per
//    pass over the factor, and reorthogonalize with matrix-matrix products (Spectra spent 70% of
//    its time in matrix-vector reorthogonalization); Op² doubles the relative gaps, so the basis
//    needs about 1/√2 as many columns. Spectra's SymEigsSolver on Op is the fallback.
// Where a step fails (factorization or convergence) ε grows 10×, up to 3 times, as the
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
