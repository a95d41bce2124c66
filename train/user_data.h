// Training data without FACS labels (SPEC §6): folders of OBJ sequences of one identity, any
// topology. In each folder the file named neutral.obj (or else the first file in name order) is
// the neutral; every other OBJ is a frame. The folder is aligned to the canonical frame once (on
// its neutral) and every frame moves with the same similarity. A sample retargets frames onto
// their own neutral with the frames as ground truth; the codes get only the range loss L_reg.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "train/mesh_sample.h"
#include "train/topology.h"

namespace nfs {

struct UserSequence {
  std::string folder;
  Topology topology;                       // the folder's triangulation (labels unused)
  std::vector<std::vector<float>> frames;  // canonical positions [V·3] per frame
  PreparedMesh neutral;                    // operators of the neutral, on the device
};

// Throws "<file>: <problem>" for an empty folder, unreadable meshes, or frames whose vertex
// count differs from the neutral's. (Heap-allocated: `neutral` points at `topology`.)
std::unique_ptr<UserSequence> load_user_sequence(const std::string& folder, const IctModel& model, int eigenpairs, Device device);

}  // namespace nfs
