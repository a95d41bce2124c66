#include "nn/checkpoint.h"

#include <set>
#include <stdexcept>

#include "nn/safetensors.h"

namespace nfs {

void save_checkpoint(const std::string& path, const NfsNetwork& net,
                     const std::map<std::string, std::string>& extra_metadata) {
  std::map<std::string, Tensor> tensors;
  for (const auto& [name, p] : net.named_parameters()) tensors[name] = p.value();
  std::map<std::string, std::string> meta = extra_metadata;
  meta["config"] = net.config.to_json();
  write_safetensors(path, tensors, meta);
}

void load_parameters(NfsNetwork& net, const std::map<std::string, Tensor>& tensors,
                     const std::string& label) {
  std::set<std::string> expected;
  for (auto& [name, p] : net.named_parameters()) {
    expected.insert(name);
    auto it = tensors.find(name);
    if (it == tensors.end())
      throw std::runtime_error(label + ": tensor '" + name + "' is missing (configuration does not match the network)");
    if (it->second.dtype() != DType::F32 || it->second.shape() != p.value().shape())
      throw std::runtime_error(label + ": tensor '" + name + "' has shape " + it->second.shape().str() +
                               ", the network needs " + p.value().shape().str());
    p.mutable_value().copy_(it->second);
  }
  for (const auto& [name, t] : tensors)
    if (!expected.count(name))
      throw std::runtime_error(label + ": tensor '" + name + "' is not part of this network");
}

std::vector<std::string> copy_matching_parameters(NfsNetwork& net, const std::string& path) {
  const SafetensorsFile f = read_safetensors(path);
  std::vector<std::string> fresh;
  for (auto& [name, p] : net.named_parameters()) {
    auto it = f.tensors.find(name);
    if (it != f.tensors.end() && it->second.dtype() == DType::F32 && it->second.shape() == p.value().shape())
      p.mutable_value().copy_(it->second);
    else
      fresh.push_back(name);
  }
  if (fresh.size() == net.named_parameters().size())
    throw std::runtime_error(path + ": no tensor matches this network's parameters");
  return fresh;
}

LoadedCheckpoint load_checkpoint(const std::string& path, Device device) {
  SafetensorsFile f = read_safetensors(path);
  auto cfg = f.metadata.find("config");
  if (cfg == f.metadata.end()) throw std::runtime_error(path + ": no model configuration in __metadata__");
  const NfsConfig config = NfsConfig::from_json(cfg->second, path);
  // The network is allocated from the configuration: first make sure the file can hold it, so a
  // hostile configuration costs no more memory than the file itself.
  int64_t floats = 0;
  for (const auto& [name, t] : f.tensors) floats += t.numel();
  if (config.min_parameter_count() > floats)
    throw std::runtime_error(path + ": the model configuration needs at least " +
                             std::to_string(config.min_parameter_count()) + " parameters, the file holds " +
                             std::to_string(floats));
  LoadedCheckpoint out;
  out.network = std::make_unique<NfsNetwork>(config);
  out.network->to(device);
  load_parameters(*out.network, f.tensors, path);
  out.metadata = f.metadata;
  return out;
}

}  // namespace nfs
