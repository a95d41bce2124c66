// A user's mesh brought into the canonical frame (SPEC §5): read, triangulated, checked, aligned
// to the ICT neutral; results go back through to_user into the user's own frame and units.
#pragma once
#include <set>
#include <string>

#include "geometry/align.h"
#include "geometry/load_mesh.h"
#include "infer/cli.h"
#include "train/ict_model.h"

namespace nfs {

// The canonical ICT neutral as alignment reference, built once per model asset.
const AlignReference& ict_align_reference(const IctModel& model);

struct CanonicalMesh {
  geo::TriangleMesh mesh;  // the user's file: polygons, UVs, triangles, check report
  Similarity to_canonical, to_user;
  Eigen::MatrixXd V;  // #V by 3 canonical positions
  AlignReport report;
};

CanonicalMesh load_canonical_mesh(const std::string& path, const AlignOptions& options, const IctModel& model);
// The same for a mesh already read and checked (geo::triangulate_and_check); `name` labels errors.
CanonicalMesh canonical_mesh(geo::TriangleMesh mesh, const std::string& name, const AlignOptions& options,
                             const IctModel& model);

// Reads an OBJ, or a glTF/GLB (its first mesh: triangles, base positions), checked (SPEC §9).
void load_any_mesh(const std::string& path, geo::TriangleMesh& mesh);
// The frames a source file holds, in its own frame: an OBJ is one frame; a glTF/GLB with morph
// targets is one frame per key of its weight animation, or without an animation the base mesh
// followed by each target at weight 1 (a blendshape character).
std::vector<Eigen::MatrixXd> source_frames(const std::string& path);

// The alignment flags shared by the binaries:
//   --align auto|bbox|none   --up AXIS   --forward AXIS   (AXIS: x, y, z, -x, -y, -z)
//   --scale S (user units × S = canonical)   --offset X,Y,Z (canonical position of the user origin)
AlignOptions align_options_from_args(const CliArgs& args);
// "x", "y", "z", "-x", "-y", "-z" as a unit vector; `what` names the option in the error.
Eigen::Vector3d parse_axis(const std::string& axis, const std::string& what);
// "auto", "bbox" or "none".
AlignMode parse_align_mode(const std::string& mode, const std::string& what);
// Names of those flags, to declare them to CliArgs.
const std::set<std::string>& align_flags();

// The aligned mesh (orange) over the ICT neutral (grey), front and side, so a user can check it.
void write_alignment_preview(const std::string& path, const CanonicalMesh& mesh, const IctModel& model);

}  // namespace nfs
