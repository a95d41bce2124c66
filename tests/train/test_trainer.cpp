// Training end to end on a tiny configuration (800-vertex re-meshes, a narrow network).
#include <catch2/catch.hpp>
#include <filesystem>

#include "support/same_parameters.h"
#include "train/tiny_config.h"
#include "train/trainer.h"
#include "support/temp_dir.h"

using namespace nfs;

namespace {
TrainConfig tiny(float dropout) { return test::tiny_train_config(800, dropout); }
}  // namespace

TEST_CASE("a short CPU run lowers the validation MSE well below its start", "[train]") {
  Trainer t(tiny(0.0f));
  const double before = t.validate().mse;
  double first_total = 0.0, last_total = 0.0;
  for (int i = 0; i < 20; ++i) {
    StepLosses l = t.step();
    if (i == 0) first_total = l.total;
    last_total = l.total;
  }
  const double after = t.validate().mse;
  std::printf("validation MSE %.4e -> %.4e after 20 steps; loss %.3f -> %.3f\n", before, after, first_total, last_total);
  CHECK(after < 0.25 * before);
  CHECK(last_total < first_total);
}

TEST_CASE("a run stopped and resumed from its checkpoint equals an uninterrupted run", "[train]") {
  test::TempDir temp("resume");
  const std::string dir = temp.path.string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // Dropout on: its masks are functions of the step, so they must line up too.
  Trainer straight(tiny(0.5f));
  for (int i = 0; i < 4; ++i) straight.step();

  {
    Trainer first(tiny(0.5f));
    for (int i = 0; i < 2; ++i) first.step();
    first.save(dir);
  }  // "killed"
  Trainer resumed(tiny(0.5f));
  resumed.load_state(dir);
  CHECK(resumed.step_index() == 2);
  for (int i = 0; i < 2; ++i) resumed.step();

  test::check_same_parameters(straight.network(), resumed.network());
  std::filesystem::remove_all(dir);
}

TEST_CASE("validation reports the zero-displacement baseline it must beat", "[train]") {
  Trainer t(tiny(0.0f));
  QualityMetrics m = t.validate();
  CHECK(m.baseline_mse > 0.0);
  // The untrained decoder's random Δv is far worse than leaving the target neutral.
  CHECK(m.mse > m.baseline_mse);
}

TEST_CASE("L_BW decodes the true code and is part of the step only when enabled", "[train]") {
  TrainConfig with = tiny(0.0f), without = tiny(0.0f);
  without.use_weights_loss = false;
  Trainer a(with), b(without);
  StepLosses la = a.step(), lb = b.step();
  // Same data and initial weights: every other loss is the same, L_BW adds to the total.
  CHECK(la.vertex == Approx(lb.vertex));
  CHECK(la.weights > 0.0);
  CHECK(lb.weights == 0.0);
  CHECK(la.total == Approx(lb.total + la.weights).epsilon(1e-5));
  // The configuration key round-trips through JSON (what --resume and --eval read).
  CHECK_FALSE(TrainConfig::from_json(without.to_json(), "test").use_weights_loss);
  CHECK(TrainConfig::from_json(with.to_json(), "test").use_weights_loss);
}
