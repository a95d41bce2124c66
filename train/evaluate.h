// The SPEC §7 evaluation of a trained model, as Markdown tables:
//  - expression quality: self-retargeting on the 10 test identities (source = identity + w,
//    target = its neutral), MSE over vertices in canonical units, per segment, mean of segments;
//  - cross-topology: the same with the target re-meshed (seeds training never used), ground
//    truth by barycentric transfer;
//  - inverse rigging: MSE between the ICT mesh rebuilt from z_GE[0:53] (with the source's own
//    identity) and the source.
#pragma once
#include <string>

#include "train/trainer.h"

namespace nfs {

struct EvaluationOptions {
  int expressions_per_identity = 8;
  int remesh_vertices = 5000;  // the cross-topology target
  uint64_t seed = 777;         // expressions and re-mesh of the evaluation (not training's)
  // When set: <prefix>_self.png and <prefix>_cross_topology.png, source | result | ground truth |
  // error for the first `picture_identities` test identities (2 expressions each).
  std::string pictures_prefix;
  int picture_identities = 3;
};

struct EvaluationReport {
  QualityMetrics self, cross_topology;  // baseline_mse: the same error with Δv = 0
  double inverse_rig_mse = 0.0;
  std::string markdown;  // the tables
};

// Evaluates `net` on the run's data definition (identities, segments) held by `trainer`.
EvaluationReport evaluate(Trainer& trainer, NfsNetwork& net, const EvaluationOptions& options,
                          const std::function<void(const std::string&)>& progress = {});

}  // namespace nfs
