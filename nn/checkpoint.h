// Model checkpoints (SPEC §8): safetensors, tensor names from the module tree, the configuration
// as JSON in __metadata__["config"], other metadata (training steps, data seeds) beside it.
// Loading builds the network from the file's configuration and then checks every tensor by
// name and shape: a missing, extra or mis-shaped tensor is an error naming it.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nn/nfs_network.h"

namespace nfs {

void save_checkpoint(const std::string& path, const NfsNetwork& net,
                     const std::map<std::string, std::string>& extra_metadata = {});

struct LoadedCheckpoint {
  std::unique_ptr<NfsNetwork> network;
  std::map<std::string, std::string> metadata;
};
// Loads onto `device` (CPU tensors are copied there).
LoadedCheckpoint load_checkpoint(const std::string& path, Device device = Device::CPU);

// Copies tensors into an existing network's parameters, checking names and shapes.
// `label` names the source in error messages.
void load_parameters(NfsNetwork& net, const std::map<std::string, Tensor>& tensors,
                     const std::string& label);

// Warm start from another checkpoint: copies every tensor of `path` whose name and shape match a
// parameter of `net`, leaves the others at their initial values, and returns the names of those
// left (a new or resized module). Throws when nothing matches (not a checkpoint of this model).
std::vector<std::string> copy_matching_parameters(NfsNetwork& net, const std::string& path);

}  // namespace nfs
