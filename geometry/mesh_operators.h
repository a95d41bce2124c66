// Everything DiffusionNet needs of one mesh (its neutral pose), computed with one call. The
// operators depend only on (V, F) and k, so a sequence or an identity's expressions share them.
// Order of computation (each step's inputs): normals(V,F) → frames(normals) → L(V,F) →
// mass(V,F) → eigenpairs(L, mass, k) → Gx, Gy(V, L's pattern, frames).
#pragma once
#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "geometry/tangent_frames.h"

namespace nfs::geo {

constexpr int kDefaultEigenpairs = 128;

struct MeshOperators {
  Eigen::VectorXd mass;               // #V lumped mass (massmatrix.h: lumped_mass)
  Eigen::SparseMatrix<double> L;      // #V by #V cotangent Laplacian, PSD (cotmatrix.h)
  Eigen::VectorXd evals;              // k eigenvalues, ascending, ≥ 0 (laplacian_eigs.h)
  Eigen::MatrixXd evecs;              // #V by k, M-orthonormal
  Eigen::SparseMatrix<double> gradX;  // #V by #V (grad.h)
  Eigen::SparseMatrix<double> gradY;  // #V by #V
  TangentFrames frames;               // X, Y, N per vertex (tangent_frames.h)
};

// @param[in]  V    #V by 3 vertex positions (canonical frame)
// @param[in]  F    #F by 3 triangles, checked (check_mesh: no degenerate triangles)
// @param[in]  k    number of eigenpairs
// @param[out] ops  the operators
void compute_mesh_operators(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int k,
                            MeshOperators& ops);

}  // namespace nfs::geo
