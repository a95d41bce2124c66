// The small set of meshes every geometry test loops over: a closed sphere, a sphere with holes,
// two components, and the sphere at tiny and huge scales. Built in code (no files).
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

namespace nfs::test {

struct TestMesh {
  std::string name;
  Eigen::MatrixXd V;  // #V by 3
  Eigen::MatrixXi F;  // #F by 3, counter-clockwise seen from outside
  int components = 1;
  bool closed = true;
};

// Unit icosphere: an icosahedron subdivided `levels` times, vertices projected on the sphere.
// levels 0..5 give 12, 42, 162, 642, 2562, 10242 vertices.
void icosphere(int levels, Eigen::MatrixXd& V, Eigen::MatrixXi& F);
// A flat nx-by-ny grid of squares of side h in the z = 0 plane, each split into two triangles
// (diagonals alternating), normal +z.
void grid(int nx, int ny, double h, Eigen::MatrixXd& V, Eigen::MatrixXi& F);
// Drops vertices in no triangle and renumbers.
void remove_unreferenced(Eigen::MatrixXd& V, Eigen::MatrixXi& F);

// closed sphere, sphere with 3 holes, two spheres, sphere scaled by 1e-3 and by 1e3.
std::vector<TestMesh> test_meshes(int levels = 3);

}  // namespace nfs::test
