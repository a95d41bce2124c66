// Re-meshing a surface with new vertices (SPEC §6 topology augmentation, §7 cross-topology
// evaluation, §10 benchmark sweep): a new triangle mesh of about N vertices lying on the old
// surface, each new vertex a NEW point (never one of the old vertices) with barycentric
// coordinates into an old triangle, so that any per-vertex quantity of the old mesh (expression
// positions, blendshape deltas, segment labels) carries over by barycentric interpolation.
//
// The new mesh is manifold, keeps every boundary loop of the old one (eye and mouth holes stay
// open, the neck cut stays a cut), keeps its Euler characteristic and its orientation (normals
// face the same way), has well-shaped triangles and a connectivity of its own.
//
// Method: isotropic explicit re-meshing (Botsch & Kobbelt 2004) of the old mesh onto itself.
// Each vertex lives ON the old surface as (old triangle, barycentric coordinates); boundary
// vertices live on the old boundary polyline as (loop, arc length). Rounds of: split edges longer
// than 4/3 of the target length (new vertex = the old-surface point nearest the midpoint, or the
// arc-length midpoint on a boundary), collapse edges shorter than 4/5 of it (link condition,
// boundary kept, no hole closed, no fold), Delaunay edge flips that keep ridges and orientation,
// and tangential Laplacian relaxation re-projected onto the old surface (closest point) or slid
// along the old boundary. The target length follows the old mesh's local edge length (faces
// stay denser than the back of the head) or is uniform, scaled until the count reaches N. The
// seed jitters the starting vertices and the order in which edges are visited, so different
// seeds give different connectivities. Last, a vertex on an old vertex is nudged off it.
// Deterministic for a given (mesh, options).
#pragma once
#include <Eigen/Core>
#include <cstdint>

namespace nfs {

struct RemeshOptions {
  int target_vertices = 10000;  // N: the result has N vertices within a few percent
  uint64_t seed = 0;            // different seeds give different re-meshes of the same N
  int iterations = 10;          // split / collapse / flip / relax rounds
  // Target edge length proportional to the old mesh's local edge length (true) or uniform.
  bool adaptive = true;
  // Amplitude of the seed's jitter of the starting vertices, in old local edge lengths.
  double jitter = 0.3;
};

// @param[in] V  #V by 3 vertex positions of the old mesh
// @param[in] F  #F by 3 triangles (consistently oriented, edge-manifold; each boundary vertex on
//               exactly one boundary loop); throws std::invalid_argument otherwise
// @param[in] options  target vertex count, seed, ...
// @param[out] V2  #V2 by 3 new vertex positions, on the surface of (V, F)
// @param[out] F2  #F2 by 3 new triangles into V2, oriented like F
// @param[out] I2  #V2 index into F of the old triangle holding each new vertex
// @param[out] B2  #V2 by 3 barycentric coordinates of each new vertex in triangle I2: row i of
//                 V2 equals Σ_k B2(i,k) · V.row(F(I2(i), k))
// Throws std::runtime_error if the result would not keep the old topology (a bug).
void remesh(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, const RemeshOptions& options,
            Eigen::MatrixXd& V2, Eigen::MatrixXi& F2, Eigen::VectorXi& I2, Eigen::MatrixXd& B2);

// Carries a per-vertex quantity of the old mesh to the new one: Q2.row(i) = Σ_k B2(i,k) ·
// Q.row(F(I2(i), k)).
// @param[in] F   #F by 3 old triangles
// @param[in] I2  #V2 old triangle per new vertex (from remesh)
// @param[in] B2  #V2 by 3 barycentric coordinates (from remesh)
// @param[in] Q   #V by C per-vertex values of the old mesh
// @param[out] Q2  #V2 by C values at the new vertices
void barycentric_transfer(const Eigen::MatrixXi& F, const Eigen::VectorXi& I2,
                          const Eigen::MatrixXd& B2, const Eigen::MatrixXd& Q, Eigen::MatrixXd& Q2);

}  // namespace nfs
