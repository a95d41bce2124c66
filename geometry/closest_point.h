// Closest points on a triangle mesh: a static bounding-volume hierarchy (axis-aligned boxes,
// median split on the widest axis, four triangles per leaf) answering "which point of the surface
// is nearest to p", with the triangle it lies in and its barycentric coordinates there.
//
// Built once per mesh (O(F log F)), then read-only: queries may run from several threads.
// Degenerate (zero-area) triangles are allowed; their closest point is found on their edges.
#pragma once
#include <Eigen/Core>
#include <Eigen/Geometry>
#include <limits>
#include <vector>

namespace nfs {

// One answer: the closest point lies in triangle `face` at `point`, which equals
// bary(0)·V[F(face,0)] + bary(1)·V[F(face,1)] + bary(2)·V[F(face,2)] (bary ≥ 0, sums to 1).
struct ClosestPointHit {
  int face = -1;  // -1 when nothing lies within the search radius
  Eigen::Vector3d bary = Eigen::Vector3d::Zero();
  Eigen::Vector3d point = Eigen::Vector3d::Zero();
  double sqr_distance = std::numeric_limits<double>::infinity();
};

// Closest point on one triangle (a, b, c) to p (Ericson, Real-Time Collision Detection §5.1.5).
// @param[in] p, a, b, c  query point and triangle corners
// @param[out] bary  barycentric coordinates of the closest point w.r.t. (a, b, c)
// @return the closest point
Eigen::Vector3d closest_point_on_triangle(const Eigen::Vector3d& p, const Eigen::Vector3d& a,
                                          const Eigen::Vector3d& b, const Eigen::Vector3d& c,
                                          Eigen::Vector3d& bary);

class ClosestPointTree {
 public:
  ClosestPointTree() = default;
  // @param[in] V  #V by 3 vertex positions
  // @param[in] F  #F by 3 triangle indices into V (#F ≥ 1); throws std::invalid_argument on an
  //               index out of range or non-finite coordinates
  ClosestPointTree(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F) { build(V, F); }
  void build(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F);

  // The closest surface point to p among points with squared distance < max_sqr_distance
  // (hit.face == -1 when there is none). Ties go to the triangle found first (deterministic).
  // @param[in] p  query point
  // @param[in] max_sqr_distance  search radius, squared
  // @param[in] hint_face  a face index into F likely to be (near) the answer, e.g. the previous
  //                       answer for a point that moved a little: its distance bounds the search
  //                       from the start; the answer is the same, only faster. -1: none
  ClosestPointHit query(const Eigen::Vector3d& p,
                        double max_sqr_distance = std::numeric_limits<double>::infinity(),
                        int hint_face = -1) const;

  int num_faces() const { return int(faces_.size()); }
  bool empty() const { return faces_.empty(); }

 private:
  struct Node {
    float lo[3], hi[3];         // box, rounded outward to float
    int left = -1, right = -1;  // inner node: children; leaf: -1
    int begin = 0, end = 0;     // leaf: triangles [begin, end) of the leaf-ordered arrays
  };
  int build_node(int begin, int end, std::vector<int>& order,
                 const std::vector<Eigen::Vector3d>& centroid, const Eigen::MatrixXd& V,
                 const Eigen::MatrixXi& F);

  std::vector<Node> nodes_;
  std::vector<int> faces_;                // leaf order → face index in F
  std::vector<int> slot_;                 // face index in F → leaf order
  std::vector<Eigen::Vector3d> corners_;  // 3 per leaf-ordered triangle
};

// Batch query: row i of P against the tree.
// @param[in] tree  built over (V, F)
// @param[in] P     #P by 3 query points
// @param[out] sqrD  #P squared distances
// @param[out] I     #P indices into F of the triangle holding the closest point
// @param[out] C     #P by 3 closest points
// @param[out] B     #P by 3 barycentric coordinates of C in triangle I
void closest_points(const ClosestPointTree& tree, const Eigen::MatrixXd& P, Eigen::VectorXd& sqrD,
                    Eigen::VectorXi& I, Eigen::MatrixXd& C, Eigen::MatrixXd& B);

}  // namespace nfs
