// glTF 2.0 output (binary .glb or text .gltf with the buffer embedded), written with tinygltf:
// one mesh of one triangle primitive on one node, with optional normals and UVs, morph targets
// and an animation of the morph weights. What the file holds:
// - POSITION (float32 VEC3, with min/max), indices (uint16 when the mesh has < 65,536 vertices,
//   else uint32), optional NORMAL and TEXCOORD_0; no material (viewers use their default).
// - Morph targets: POSITION deltas (with min/max, as the glTF spec requires), plus NORMAL deltas
//   when the mesh has normals. Names in mesh.extras.targetNames (the convention Blender, three.js
//   and Babylon read); the default pose in mesh.weights.
// - Animation: one sampler (input: key times in seconds, output: the weights of every target at
//   each key, LINEAR interpolation) and one channel on the node, path "weights".
// Coordinates are written as given: glTF's unit is the metre, so scale centimetre meshes (the ICT
// model) with scale_positions(mesh, 0.01f) if the consumer cares about units.
//
// Two uses:
// (a) a rig: gltf_blendshape_rig() puts the 53 FACS blendshapes on the target as morph targets,
//     default weights 0; add weight_animation() to play a take of weights (a CSV) on it.
// (b) a sequence of retargeted frames: gltf_sequence_as_targets() stores frame k as morph target
//     k (delta from the neutral target) and animates it with one-hot weights, key k at k / fps.
//     LINEAR interpolation between key k (weight 1 on target k) and key k+1 (weight 1 on target
//     k+1) blends the two frames linearly, so playback between keys is exactly the per-vertex
//     linear interpolation of the frames. The default weights show frame 0. The file holds every
//     frame exactly (no fitting), at the cost of one target per frame: long takes make big files
//     and some real-time viewers limit how many targets they blend, so for long takes prefer (a)
//     with the take's weights when the frames come from weights (animate) rather than from
//     source meshes (retarget).
#pragma once
#include <string>
#include <vector>

#include "infer/gltf_layout.h"

namespace nfs {

struct GltfMorphTarget {
  std::string name;
  std::vector<float> position_deltas;  // [Vg, 3]
  std::vector<float> normal_deltas;    // [Vg, 3], or empty (then empty for every target)
};

struct GltfWeightAnimation {
  std::string name = "weights";
  std::vector<float> times;    // [K] key times in seconds, strictly increasing
  std::vector<float> weights;  // [K, #targets] morph weights at each key
  float length() const { return times.empty() ? 0.0f : times.back(); }
};

// Everything in glTF vertex order (see GltfVertexLayout for mapping mesh data into it).
struct GltfMesh {
  std::string name = "mesh";
  std::vector<float> positions;     // [Vg, 3]
  std::vector<uint32_t> triangles;  // [F, 3]
  std::vector<float> normals;       // [Vg, 3] or empty
  std::vector<float> uvs;           // [Vg, 2] or empty, glTF convention (origin top-left)
  std::vector<GltfMorphTarget> targets;
  std::vector<float> default_weights;  // [#targets] or empty (all 0)
  bool has_animation = false;
  GltfWeightAnimation animation;

  int num_vertices() const { return int(positions.size() / 3); }
  int num_targets() const { return int(targets.size()); }
  std::vector<std::string> target_names() const;
};

// Writes `mesh` as .glb (binary) or .gltf (text, buffer embedded as a data URI), chosen by the
// file extension (case-insensitive). Atomic: serialized in memory, then written to a temporary
// file renamed over `path`. Throws std::invalid_argument naming the file when the mesh is
// inconsistent (sizes, an index out of range, a non-finite value, key times not increasing, an
// unknown extension), std::runtime_error naming it when it cannot be written.
void write_gltf(const std::string& path, const GltfMesh& mesh);
// The file's bytes; `label` names it in messages.
std::string serialize_gltf(const GltfMesh& mesh, bool binary, const std::string& label = "glTF");

// Key k at k / fps for k in [0, num_frames). Throws std::invalid_argument unless fps > 0.
std::vector<float> frame_times(int num_frames, double fps);

// The base mesh in glTF layout: positions [#V, 3] (mesh vertex order) gathered; with
// `with_normals`, area-weighted vertex normals computed on the mesh's triangles (so seams stay
// smooth) and gathered; UVs from the layout.
GltfMesh gltf_base_mesh(const GltfVertexLayout& layout, const std::vector<float>& positions,
                        bool with_normals);

// (a) The blendshape rig: base `neutral` [#V, 3], targets `deltas` [#T, #V, 3] (shape minus
// neutral, mesh vertex order) named `names` (#T), default weights 0. With `with_normals`, each
// target also carries the change of the vertex normals.
GltfMesh gltf_blendshape_rig(const GltfVertexLayout& layout, const std::vector<float>& neutral,
                             const std::vector<float>& deltas,
                             const std::vector<std::string>& names, bool with_normals);

// Animates the mesh's morph weights: `weights` [num_frames, #targets], key k at k / fps.
void set_weight_animation(GltfMesh& mesh, const std::vector<float>& weights, int num_frames,
                          double fps);

// (b) A sequence: base `neutral` [#V, 3], `frames` [num_frames, #V, 3] absolute positions; target
// k = frame k − neutral, named "frame_00000", ...; animation with one-hot weights at k / fps;
// default weights show frame 0.
GltfMesh gltf_sequence_as_targets(const GltfVertexLayout& layout, const std::vector<float>& neutral,
                                  const std::vector<float>& frames, int num_frames, double fps,
                                  bool with_normals);

// Multiplies positions and position deltas by `s` (e.g. 0.01 for centimetres to metres).
void scale_positions(GltfMesh& mesh, float s);

}  // namespace nfs
