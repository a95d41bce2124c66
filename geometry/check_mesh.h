// Checks a triangle mesh before operators are built (SPEC §9). Fatal problems throw one line
// naming the mesh; harmless ones are fixed or reported as warnings:
//   thrown:   no vertices, no faces, a non-finite coordinate, an index out of range, or no
//             triangle with area left;
//   dropped:  degenerate triangles (a repeated vertex, or zero area: twice the area at most
//             kDegenerateRatio times the longest edge squared), with a warning;
//   reported: isolated vertices (in no kept triangle: kept, so indices stay those of the file, but
//             they take no part in the operators), non-manifold edges (in more than 2 triangles),
//             edges whose two triangles disagree in orientation;
//   accepted: several connected components (eyeballs, teeth), counted in the report.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

namespace nfs::geo {

constexpr double kDegenerateRatio = 1e-10;

struct MeshCheckReport {
  int num_vertices = 0;
  int num_triangles = 0;               // triangles given
  int degenerate_dropped = 0;          // triangles dropped
  std::vector<int> isolated_vertices;  // 0-based indices of vertices in no kept triangle
  int non_manifold_edges = 0;          // edges in more than two kept triangles
  int misoriented_edges = 0;           // interior edges traversed in the same direction twice
  int boundary_edges = 0;              // edges in one triangle (holes: harmless)
  int components = 0;                  // connected components of the kept triangles
  std::vector<std::string> warnings;   // one line each, naming the mesh
};

// @param[in]  name    the file (or a label) used in every message
// @param[in]  V       #V by 3 vertex positions
// @param[in]  F       #F by 3 triangle vertex indices
// @param[out] F_kept  #K by 3 triangles of F that are not degenerate, in order
// @param[out] kept    #K index into F of each kept triangle
// @param[out] report  counts and warnings
void check_mesh(const std::string& name, const Eigen::MatrixXd& V, const Eigen::MatrixXi& F,
                Eigen::MatrixXi& F_kept, Eigen::VectorXi& kept, MeshCheckReport& report);

}  // namespace nfs::geo
