// The SPEC §7 evaluation (nfs_train --eval): metrics that agree with the positions the network
// predicts, the Markdown tables, and the comparison pictures.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "train/evaluate.h"
#include "support/png_size.h"
#include "train/tiny_config.h"
#include "train/trainer.h"
#include "support/temp_dir.h"

using namespace nfs;
namespace fs = std::filesystem;


TEST_CASE("measure_retarget is the mean squared vertex error of retarget_positions", "[train][eval]") {
  TrainConfig c = test::tiny_train_config(600);
  c.train_identities = 1;
  Trainer t(c);
  const Topology& topo = t.topologies()[0];
  std::vector<float> neutral = topo.transfer(t.ict_shape({}, {}), 3);
  PreparedMesh mesh = prepare_mesh(topo, neutral, int(c.model.eigenpairs), Device::CPU);
  std::vector<std::vector<float>> sources, truths;
  for (int e : {3, 26}) {
    std::vector<float> w(53, 0.0f);
    w[e] = 1.0f;
    sources.push_back(topo.transfer(t.ict_shape({}, w), 3));
  }
  const auto results = retarget_positions(t.network(), mesh, sources, mesh, 1, Device::CPU);
  REQUIRE(results.size() == 2);
  // Against the sources themselves (self-retargeting) and against the neutral (baseline 0).
  for (bool against_neutral : {false, true}) {
    truths = against_neutral ? std::vector<std::vector<float>>(2, neutral) : sources;
    QualityMetrics m = measure_retarget(t.network(), mesh, sources, mesh, truths, topo.labels,
                                        int(c.model.segments), 2, Device::CPU);
    double sum = 0.0, base = 0.0;
    for (size_t i = 0; i < 2; ++i)
      for (size_t k = 0; k < neutral.size(); ++k) {
        sum += std::pow(double(results[i][k]) - truths[i][k], 2);
        base += std::pow(double(neutral[k]) - truths[i][k], 2);
      }
    const double vertices = 2.0 * neutral.size() / 3;
    CHECK(m.mse == Approx(sum / vertices).epsilon(1e-6));
    CHECK(m.baseline_mse == Approx(base / vertices).margin(1e-12));
    if (against_neutral) CHECK(m.baseline_mse == 0.0);
    CHECK(m.samples == 2);
  }
}

TEST_CASE("evaluate writes the SPEC §7 tables and the comparison pictures", "[train][eval]") {
  TrainConfig c = test::tiny_train_config(600);
  c.train_identities = 1;
  Trainer t(c);
  test::TempDir temp("evaluate");
  const std::string dir = temp.path.string();
  fs::create_directories(dir);
  EvaluationOptions o;
  o.expressions_per_identity = 2;
  o.remesh_vertices = 700;
  o.pictures_prefix = dir + "/eval";
  o.picture_identities = 1;
  EvaluationReport r = evaluate(t, t.network(), o);
  CHECK(std::isfinite(r.self.mse));
  CHECK(r.self.baseline_mse > 0.0);
  CHECK(r.cross_topology.baseline_mse > 0.0);
  CHECK(r.inverse_rig_mse > 0.0);
  CHECK(r.self.samples == 20);  // 10 test identities × 2 expressions
  // Every encoded frame is either a dense mix (all 53 weights > 0) or a sparse one.
  CHECK(r.kinds[0].dense_frames + r.kinds[0].sparse_frames == 20);
  CHECK(r.kinds[0].dense_frames > 1);
  CHECK(r.kinds[0].sparse_frames > 1);
  CHECK(r.kinds[0].exp_rmse_dense > 0.0);
  CHECK(r.markdown.find("Encode R² (self) by kind of frame") != std::string::npos);
  REQUIRE(r.self.per_segment.size() == size_t(c.model.segments));
  CHECK(r.markdown.find("expression MSE, mean of segments") != std::string::npos);
  CHECK(r.markdown.find("inverse rigging MSE") != std::string::npos);
  // One identity, 2 expressions: 2 rows of source | result | ground truth | error.
  CHECK(test::png_size(dir + "/eval_self.png") == std::pair<int, int>(4 * 256, 2 * 256));
  CHECK(test::png_size(dir + "/eval_cross_topology.png") == std::pair<int, int>(4 * 256, 2 * 256));
  CHECK(test::png_size(dir + "/eval_stylized.png") == std::pair<int, int>(4 * 256, 2 * 256));
  // The 53 shapes, truth beside prediction, 6 pairs a row of 128-pixel cells; the 4 warps beside the head.
  for (const char* kind : {"self", "remesh", "stylized", "cross_identity"})
    CHECK(test::png_size(dir + "/eval_rig_" + kind + ".png") == std::pair<int, int>(12 * 128, 9 * 128));
  CHECK(test::png_size(dir + "/eval_warps.png") == std::pair<int, int>(5 * 256, 256));
  // Four target kinds, network beside the closest-point baseline.
  REQUIRE(r.kinds.size() == 4);
  CHECK(r.summary.find("rig error, closest-point baseline") != std::string::npos);
  // Each shape counted alike: the row is the plain mean of the per-shape table's column.
  {
    const std::string label = "| rig error, network, mean of the 53 shapes |";
    const size_t at = r.summary.find(label);
    REQUIRE(at != std::string::npos);
    double mean = 0.0;
    for (double e : r.kinds[0].rig_error_per_shape) mean += e / 53.0;
    CHECK(std::stod(r.summary.substr(at + label.size())) == Approx(mean).margin(6e-4));
  }
  CHECK(r.summary.find("| self | re-mesh | stylized | cross-identity |") != std::string::npos);
  for (const TargetKindResult& k : r.kinds) {
    INFO(k.name);
    CHECK(k.zero_mse > 0.0);
    CHECK(std::isfinite(k.mse));
    CHECK(k.rig_error > 0.0);
    CHECK(k.rig_error_per_identity.size() == 10);
    CHECK(k.skin_accuracy >= 0.0);
  }
  // On its own neutral the baseline copies every delta exactly; elsewhere it does not.
  CHECK(r.kinds[0].baseline_mse < 1e-10);
  CHECK(r.kinds[0].baseline_rig_error < 1e-6);
  CHECK(r.kinds[2].baseline_rig_error > 1e-3);
  CHECK(r.kinds[3].baseline_mse > 0.0);
  CHECK(std::isnan(r.kinds[3].exp_r2));  // the cross-identity source is the self source
  CHECK(std::isnan(r.kinds[2].id_r2));   // a warped head has no ICT identity
  fs::remove_all(dir);
}
