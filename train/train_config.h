// Everything a training run is decided by: the network configuration, the data budget and the
// optimisation. Read from a JSON config file (every key optional) and overridden by flags; saved
// next to the checkpoints so `--resume` and `--eval` see the same settings.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/nfs_network.h"
#include "train/losses.h"
#include "train/sampler.h"

namespace nfs {

struct TrainConfig {
  NfsConfig model;
  std::string device = "auto";
  int steps = 1000;
  int batch = 8;                // expressions of one source retargeted onto one target
  float lr = 1e-4f;
  int lr_decay_every = 0;       // step decay (0 = constant)
  float lr_decay = 0.5f;
  int train_identities = 100;   // identities used, of the 100 drawn (the operator budget)
  int validation_expressions = 8;
  int validate_every = 100;
  int checkpoint_every = 100;
  int log_every = 10;
  bool ict_topology = true;          // train on the ICT triangulation itself
  std::vector<int> remesh_vertices;  // topology augmentation: one re-mesh per entry
  uint64_t data_seed = 2025;    // identities, expressions, re-meshes
  ExpressionMix mix;
  float augment_scale = 0.1f;   // similarity augmentation: scale in [1-a, 1+a]
  float augment_offset = 0.05f; // and offset in [-o, o] per axis (canonical units)
  bool use_skin_loss = true;    // L_nll (off in the ablation)
  bool use_weights_loss = true; // L_BW: decode the true code [w, 0] against w·B (docs/TRAINING.md)
  LossWeights loss_weights;     // the paper's by default
  bool code_loss_mean = false;  // L_ID, L_Exp as means over the code's dims (the authors' code)
  // Until this step L_v, L_n and L_g decode the true code [w, 0] instead of the encoder's z_GE
  // (the authors' warm-up), and L_BR is skipped. The decoder then learns what a code means
  // while the expression encoder's code is still uninformative (MODEL-FINDINGS: on the encoder's
  // code the decoder learns to ignore it).
  int true_code_steps = 0;
  // > 0: L_BW divides each sample's error by its displacement's mean squared size plus this
  // floor (canonical units²), so small shapes (eyes) count by their relative error.
  float weights_loss_relative_floor = 0.0f;
  int weights_loss_relative_from = 0;  // the step it starts at (a stage of the shipped run)
  std::string segments_file;    // labels (nfs_tools segment); computed when empty
  // When computed: position against motion direction in the clustering (SegmentationOptions).
  float segment_position_weight = 1.0f;
  std::vector<std::string> user_data;  // folders of OBJ sequences without FACS labels
  float user_data_ratio = 0.25f;       // fraction of steps drawn from them (when given)
  std::string ict_model;        // the model asset; ../shared's when empty
  // Warm start: the parameters of this checkpoint whose names and shapes match (a new encoder
  // on a trained decoder, say); the rest start fresh, and so do the optimizer and the step.
  std::string init_from;
  std::string out = "runs/nfs";

  std::string to_json() const;
  // `label` names the source in messages; unknown keys are errors.
  static TrainConfig from_json(const std::string& json, const std::string& label);
};

// The recipe's departures from the paper (each a key, measured in docs/TRAINING.md), applied to
// a configuration: what cpu_small_config and gpu_config share.
void apply_recipe_departures(TrainConfig& c);
// The small configuration that trains usefully on a 2-core CPU (docs/TRAINING.md).
TrainConfig cpu_small_config();
// The paper's network and data (width 128, K 128, decoder 256 x 7, 100 identities, batch 8) with
// the recipe's departures: what the GPU run trains (the paper preset is the paper's recipe).
TrainConfig gpu_config();

}  // namespace nfs
