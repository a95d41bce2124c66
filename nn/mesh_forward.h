// The network's forward pass on prepared meshes, shared by inference, training and evaluation:
// a mesh's neutral with its operators on the device, frames of it (positions, normals, front
// renders), the source side (z_GE), the target side (z_ID, z_Skin, ω, the decoder's target term)
// and the retarget that joins them.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

#include "nn/nfs_network.h"

namespace nfs {

// A triangulation: what the forward pass needs of a mesh's connectivity.
struct MeshTopology {
  std::string name;   // for messages: a file, "ict", "remesh-<N>-s<seed>"
  Eigen::MatrixXi F;  // #F by 3 triangles
  int64_t num_vertices = 0;
  Tensor faces_tensor(Device device) const;
};

// One neutral (identity, topology) with what the network and the losses need of it.
struct PreparedMesh {
  const MeshTopology* topology = nullptr;
  std::vector<float> neutral;  // [V, 3] canonical frame, host
  SpectralOperators ops;       // device
  CsrMatrix jacobian;          // [3F, V] hat-function gradients of the neutral, device
  Tensor faces;                // [F, 3] int32, device
};

// Builds a PreparedMesh from canonical neutral positions (operators from the on-disk cache).
PreparedMesh prepare_mesh(const MeshTopology& topology, std::vector<float> neutral, int eigenpairs, Device device);

// The same mesh scaled by s about the origin: operators scaled exactly (mass s², λ / s², Φ / s,
// gradients and Jacobian operator / s). Offsets change no operator.
PreparedMesh scaled_mesh(const PreparedMesh& mesh, float s);

// Frames of one mesh: positions [B, V, 3] on the device with their normals and front renders.
struct FrameBatch {
  Tensor positions, normals, images;
};
FrameBatch make_frames(const std::vector<float>& positions, int64_t frames, const PreparedMesh& mesh,
                       const RasterCamera& camera, Device device);

// The source side: z_GE [B, 128] of the frames.
Var encode_source(NfsNetwork& net, const FrameBatch& source, const PreparedMesh& source_mesh, uint64_t seed);
// The target side (one neutral, or several of one topology): everything but z_GE.
struct TargetCodes {
  Var z_id, z_skin, omega, target_term;  // z_skin, omega undefined in the ablation
};
TargetCodes encode_target(NfsNetwork& net, const FrameBatch& target, const PreparedMesh& target_mesh, uint64_t seed);

// Everything the forward pass produced that the losses look at.
struct RetargetOutputs {
  Var z_ge, z_id, z_skin, omega, target_term, delta;  // delta: Δv [B, Vt, 3]
};
// decode = false leaves delta undefined (training's warm-up decodes the true code instead).
RetargetOutputs retarget_forward(NfsNetwork& net, const FrameBatch& source, const PreparedMesh& source_mesh,
                                 const FrameBatch& target, const PreparedMesh& target_mesh, uint64_t seed,
                                 bool decode = true);

}  // namespace nfs
