// Lumped (barycentric) mass: each vertex gets one third of the area of every triangle it is in.
// The diagonal of the mass matrix M, stored as a vector.
#pragma once
#include <Eigen/Core>

namespace nfs::geo {

// Regularization of lumped_mass: mass += kMassEps · mean(mass), DiffusionNet's eps.
constexpr double kMassEps = 1e-8;

// @param[in]  V  #V by 3 vertex positions
// @param[in]  F  #F by 3 triangle vertex indices
// @param[out] A  #V vertex areas (one third of incident triangle areas); Σ A = surface area
void vertex_areas(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, Eigen::VectorXd& A);

// vertex_areas + kMassEps · mean, so every mass is positive (isolated vertices included).
// @param[in]  V  #V by 3 vertex positions
// @param[in]  F  #F by 3 triangle vertex indices
// @param[out] M  #V lumped masses
void lumped_mass(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, Eigen::VectorXd& M);

}  // namespace nfs::geo
