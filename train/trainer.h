// A training run (SPEC §6): data, network, optimizer, one step at a time, validation,
// checkpoints that resume exactly. nfs_train drives it; tests run it on tiny configurations.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nn/adam.h"
#include "train/diagnostics.h"
#include "train/mesh_sample.h"
#include "train/train_config.h"
#include "train/user_data.h"

namespace nfs {

struct StepLosses {
  double total = 0, vertex = 0, normal = 0, jacobian = 0, identity = 0, expression = 0;
  double projection = 0, reconstruction = 0, skin = 0;
  double weights = 0;  // L_BW: the decoder on the true FACS code [w, 0] against w·B
  double range = 0;  // L_reg, on steps drawn from unlabelled user data
  static const std::vector<std::string>& names();  // CSV column order
  std::vector<double> values() const;
};

class Trainer {
 public:
  // `progress` receives one-line messages during the set-up (operators, re-meshing).
  Trainer(const TrainConfig& config, const std::function<void(const std::string&)>& progress = {});
  // config.init_from's matching tensors into the fresh network (a new run; a resumed one loads
  // its own state instead). Nothing when init_from is empty.
  void warm_start(const std::function<void(const std::string&)>& progress = {});

  StepLosses step();  // one optimisation step; advances step_index()
  // Self-retargeting on the validation identity, ICT topology (a fixed set of expressions).
  QualityMetrics validate();
  // The per-component numbers on the same identity and expressions (train/diagnostics.h):
  // expression R², identity error in vertex space, skin accuracy, rig error (ICT topology).
  ComponentMetrics validate_components();

  // Writes <dir>/model.safetensors, model.optimizer.safetensors and train_state.json
  // (each atomically). load_state resumes from them: the next step is exactly the one an
  // uninterrupted run would take.
  void save(const std::string& dir) const;
  void load_state(const std::string& dir);

  int64_t step_index() const { return step_; }
  NfsNetwork& network() { return *net_; }
  const TrainConfig& config() const { return config_; }
  Device device() const { return device_; }
  const IctModel& ict() const { return ict_; }
  const std::vector<Topology>& topologies() const { return topologies_; }
  const std::vector<int32_t>& segment_labels() const { return labels_; }
  // Canonical positions of identity w_id with expression w on the ICT topology.
  std::vector<float> ict_shape(const std::vector<float>& w_id, const std::vector<float>& w_exp) const;
  float current_lr() const;
  // The 53 ICT expression deltas in canonical units on the ICT topology, [53][V·3] (computed once).
  const std::vector<std::vector<float>>& canonical_basis() const { return canonical_basis_; }

 private:
  struct TopologyData {
    Tensor basis;    // [53, V·3] expression deltas in canonical units
    Tensor one_hot;  // [V, L]
  };
  const PreparedMesh& prepared(int identity, int topology);
  void prepare_validation();
  std::vector<std::vector<float>> validation_weights() const;
  StepLosses user_step(std::mt19937_64& rng);  // a step on the unlabelled user data
  StepLosses finish_step(Var total, StepLosses l);

  TrainConfig config_;
  Device device_;
  IctModel ict_;
  std::vector<int32_t> labels_;
  std::vector<std::vector<float>> canonical_basis_;
  std::vector<Topology> topologies_;
  std::vector<TopologyData> topology_data_;
  IdentitySplits identities_;
  std::map<std::pair<int, int>, PreparedMesh> meshes_;  // (train identity, topology)
  std::vector<std::unique_ptr<UserSequence>> user_data_;
  std::unique_ptr<Topology> validation_topology_;  // the ICT triangulation, for validation
  std::unique_ptr<PreparedMesh> validation_mesh_;
  std::unique_ptr<NfsNetwork> net_;
  std::unique_ptr<Adam> adam_;
  int64_t step_ = 0;
};

}  // namespace nfs
