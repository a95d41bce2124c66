// Similarity normalization of a user's mesh into the canonical frame (SPEC §5).
//
// A user mesh arrives in any units and framing. By default it is rotated so that its up axis is
// +Y and its forward axis (where the face looks) +Z, then scaled and moved so that its
// bounding-box height and centre match a region of the canonical ICT neutral, then refined by a
// trimmed similarity ICP (rotation, uniform scale, translation) against the ICT neutral surface
// that ignores the worst-matching fraction of the points, so that a face-only mask or a head with a
// long neck still lands where it should. The ICP starts from six bounding-box placements: onto the
// boxes of three regions of the ICT head (the whole head [0, 11248), the face [0, 9409), the narrow
// face [0, 6706)), matching centre and height, or width with the tops level (for a long neck or a
// beard). Each runs 20 iterations on a fifth of the samples; the result that fits best both ways
// (the mesh onto the ICT surface, and the ICT narrow face onto the mesh, both trimmed) is refined
// on all samples. Each ICP iteration matches samples to their closest ICT points, drops the worst
// `trim` fraction and refits: Umeyama's closed form for the first 8 iterations (robust far from
// the answer), then Gauss-Newton point-to-plane steps on the linearized similarity (fast near
// it); the scale stays within [1/2, 2] of the start's (trimmed ICP can otherwise shrink a mesh
// into a fold of the reference, such as an ear).
//
// The result is a similarity to_canonical (y = s·R·x + t) and its inverse to_user, so results
// computed in the canonical frame go back to the user's frame and units.
#pragma once
#include <Eigen/Core>
#include <Eigen/Geometry>
#include <optional>

#include "geometry/closest_point.h"

namespace nfs {

// y = s·R·x + t, applied to row vectors.
struct Similarity {
  double s = 1.0;
  Eigen::Matrix3d R = Eigen::Matrix3d::Identity();
  Eigen::Vector3d t = Eigen::Vector3d::Zero();

  Similarity inverse() const;
  // @param[in] X  #X by 3 points
  // @return #X by 3 transformed points
  Eigen::MatrixXd apply(const Eigen::MatrixXd& X) const;
  Eigen::Vector3d apply_point(const Eigen::Vector3d& x) const { return s * (R * x) + t; }
  // (this ∘ other)(x) = this(other(x))
  Similarity compose(const Similarity& other) const;
};

// Closed-form least-squares similarity (Umeyama 1991) taking rows of X onto rows of Y, a proper
// rotation (det R = +1). With fixed_scale > 0 the scale is that and only R, t are fitted.
// @param[in] X  #n by 3 source points (n >= 3, not all collinear for a unique R)
// @param[in] Y  #n by 3 target points
// @param[in] fixed_scale  > 0: use this scale; otherwise fitted
// @return the similarity minimizing Σ ‖s·R·x_i + t − y_i‖²
Similarity umeyama_similarity(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                              double fixed_scale = 0.0);

// The canonical ICT neutral, prepared once: its surface for closest points and the bounding
// boxes of its regions.
class AlignReference {
 public:
  // @param[in] V  #V by 3 ICT neutral in the canonical frame, kit vertex order, #V >= 11248
  //               (only the head region [0, 11248) is used)
  // @param[in] F  #F by 3 triangles over the head region (the kit's quads split in two)
  AlignReference(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F);

  const ClosestPointTree& tree() const { return tree_; }
  // Unit normal of triangle f (zero for a degenerate one).
  Eigen::Vector3d face_normal(int f) const { return normals_.row(f).transpose(); }
  const Eigen::AlignedBox3d& head_box() const { return boxes_[0]; }    // vertices [0, 11248)
  const Eigen::AlignedBox3d& face_box() const { return boxes_[1]; }    // vertices [0, 9409)
  const Eigen::AlignedBox3d& narrow_box() const { return boxes_[2]; }  // vertices [0, 6706)
  double head_height() const { return boxes_[0].sizes()(1); }
  // Points spread over the narrow face area [0, 6706), which every input must contain: they
  // check that an aligned mesh covers the face (a start that shrank it into a fold does not).
  const Eigen::MatrixXd& narrow_samples() const { return narrow_samples_; }

 private:
  ClosestPointTree tree_;
  Eigen::MatrixXd normals_;  // #F by 3
  Eigen::MatrixXd narrow_samples_;
  Eigen::AlignedBox3d boxes_[3];
};

enum class AlignMode {
  kAuto,         // bounding box, then trimmed similarity ICP (default)
  kBoundingBox,  // bounding box of the whole head only
  kNone,         // the input is already canonical: identity
};

struct AlignOptions {
  AlignMode mode = AlignMode::kAuto;
  Eigen::Vector3d up{0, 1, 0};       // the mesh's up direction, in its own frame
  Eigen::Vector3d forward{0, 0, 1};  // where its face looks, in its own frame
  // > 0: user units × scale = canonical units, kept fixed (ICP fits rotation and translation).
  double scale = 0.0;
  // Set: the canonical position of the user's origin (t), kept fixed; the ICP is then skipped
  // and the result is R(up, forward) with the given or bounding-box scale.
  std::optional<Eigen::Vector3d> offset;
  double trim = 0.35;       // fraction of the worst-matching points ignored per ICP iteration
  int samples = 2000;       // points sampled on the mesh (by area) for the ICP
  int max_iterations = 60;  // of the final refinement (each start gets 20 on fewer samples)
};

// Diagnostics of one alignment.
struct AlignReport {
  double trimmed_rms = 0.0;  // RMS distance (canonical units) of the kept points to the ICT surface
  int iterations = 0;        // ICP iterations of the winning start
  // Winning start: region (0 head, 1 face, 2 narrow face) + 3 × (0 height, 1 width); -1 none.
  int start = -1;
};

// @param[in] ref  the canonical ICT neutral
// @param[in] V    #V by 3 user vertices (any units and framing), #V >= 3, finite
// @param[in] F    #F by 3 user triangles (may be empty: the vertices are then the samples)
// @param[in] options  mode, axes, fixed scale / offset, ICP settings
// @param[out] to_canonical  canonical = to_canonical(user)
// @param[out] to_user       its inverse: user = to_user(canonical)
// @param[out] report        optional diagnostics
// Throws std::invalid_argument on bad input (empty or non-finite V, index out of range, zero
// height, parallel up and forward, trim outside [0, 0.9]).
void align_to_canonical(const AlignReference& ref, const Eigen::MatrixXd& V,
                        const Eigen::MatrixXi& F, const AlignOptions& options,
                        Similarity& to_canonical, Similarity& to_user,
                        AlignReport* report = nullptr);

}  // namespace nfs
