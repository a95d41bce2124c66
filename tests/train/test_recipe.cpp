// The CPU recipe's departures from the paper (docs/TRAINING.md), each a configuration key: the
// true-code warm-up, loss weights (0 skips a term), code losses as means, the decoder without
// the target codes, the image encoder's init gain, the expression encoder's own width. And the
// per-component validation numbers.
#include <catch2/catch.hpp>

#include <cmath>

#include "support/temp_dir.h"
#include "support/same_parameters.h"
#include "train/tiny_config.h"
#include "train/trainer.h"

using namespace nfs;

namespace {
TrainConfig recipe() {
  TrainConfig c = test::tiny_train_config(800);
  c.true_code_steps = 100;
  c.loss_weights.normal = c.loss_weights.jacobian = 0.0f;
  c.model.decoder_target_codes = false;
  c.model.image_init_gain = 2.4f;
  c.model.exp_width = 12;
  return c;
}
}  // namespace

TEST_CASE("during the true-code warm-up L_v decodes [w, 0]; a term of weight 0 is skipped", "[train][recipe]") {
  Trainer t(recipe());
  const StepLosses l = t.step();
  // L_v on the true code is L_BW: (target + D([w,0]) − gt) = D([w,0]) − s·w·B.
  CHECK(l.vertex == Approx(l.weights).epsilon(1e-5));
  CHECK(l.normal == 0.0);
  CHECK(l.jacobian == 0.0);
  CHECK(l.reconstruction == 0.0);  // L_BR only trains the decoder on z_GE after the warm-up
  CHECK(l.expression > 0.0);
  // After it, L_v decodes the encoder's code and differs from L_BW.
  TrainConfig after = recipe();
  after.true_code_steps = 0;
  Trainer u(after);
  const StepLosses m = u.step();
  CHECK(m.reconstruction > 0.0);
  CHECK(std::abs(m.vertex - m.weights) > 1e-3 * m.weights);
  TrainConfig none = recipe();
  none.loss_weights = LossWeights{0, 0, 0, 0, 0, 0, 0, 0, 0};
  Trainer z(none);
  CHECK_THROWS_WITH(z.step(), Catch::Contains("every loss weight is 0"));
}

TEST_CASE("code losses as means are the sums over the code's dimensions divided by them", "[train][recipe]") {
  TrainConfig sum = recipe(), mean = recipe();
  mean.code_loss_mean = true;
  Trainer a(sum), b(mean);
  const StepLosses la = a.step(), lb = b.step();
  const double D = double(sum.model.code_dim);
  CHECK(lb.expression * D == Approx(la.expression).epsilon(1e-5));
  CHECK(lb.identity * D == Approx(la.identity).epsilon(1e-5));
}

TEST_CASE("the recipe's keys round-trip through JSON; unknown loss weights are errors", "[train][recipe]") {
  TrainConfig c = recipe();
  c.loss_weights.skin = 0.25f;
  c.code_loss_mean = true;
  c.weights_loss_relative_floor = 1e-3f;
  const TrainConfig back = TrainConfig::from_json(c.to_json(), "test");
  CHECK(back.true_code_steps == 100);
  CHECK(back.code_loss_mean);
  CHECK(back.weights_loss_relative_floor == 1e-3f);
  CHECK(back.loss_weights.skin == 0.25f);
  CHECK(back.loss_weights.normal == 0.0f);
  CHECK(back.loss_weights.vertex == 10.0f);
  CHECK(back.model.to_json() == c.model.to_json());
  // Every key, the presets' included, reads back as written (the CPU preset's relative-L_BW stage
  // was once lost here, because that key was written but never read).
  for (const TrainConfig& preset : {cpu_small_config(), TrainConfig(), c})
    CHECK(TrainConfig::from_json(preset.to_json(), "preset").to_json() == preset.to_json());
  TrainConfig staged = cpu_small_config();
  staged.weights_loss_relative_from = 9250;
  CHECK(TrainConfig::from_json(staged.to_json(), "staged").weights_loss_relative_from == 9250);
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"steps": 1e30})", "cfg.json"), Catch::Contains("cfg.json: steps must be an integer"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"batch": 2.5})", "cfg.json"), Catch::Contains("batch must be an integer"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"steps": 4294967296})", "cfg.json"), Catch::Contains("steps 4294967296 is out of range"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"lr": "fast"})", "cfg.json"), Catch::Contains("lr must be a number"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"model": {"width": 1e30}})", "cfg.json"), Catch::Contains("width must be an integer"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"loss_weights": {"vertx": 1}})", "cfg.json"),
                    Catch::Contains("cfg.json: unknown loss weight 'vertx'"));
  // A model configuration written before these keys loads with the paper's values.
  std::string old = NfsConfig().to_json();
  for (const char* key : {",\"exp_width\":0", ",\"decoder_target_codes\":true", ",\"image_init_gain\":1.0"}) {
    const size_t at = old.find(key);
    REQUIRE(at != std::string::npos);
    old.erase(at, std::string(key).size());
  }
  const NfsConfig o = NfsConfig::from_json(old, "old");
  CHECK(o.exp_width == 0);
  CHECK(o.decoder_target_codes);
  CHECK(o.image_init_gain == 1.0f);
}

TEST_CASE("without target codes the decoder's first layer ignores c_tgt and z_ID", "[train][recipe]") {
  for (bool codes : {false, true}) {
    NfsConfig cfg = recipe().model;
    cfg.decoder_target_codes = codes;
    NfsNetwork net(cfg);
    const int64_t V = 5, D = cfg.code_dim;
    Tensor p = Tensor::full({1, V, 3}, 0.3f), n = Tensor::full({1, V, 3}, 0.5f);
    Var c0(Tensor::zeros({1, D})), z0(Tensor::zeros({1, D}));
    Var c1(Tensor::full({1, D}, 0.7f)), z1(Tensor::full({1, D}, -0.4f));
    const auto a = net.decoder_target_term(p, n, c0, z0).value().to_vector();
    const auto b = net.decoder_target_term(p, n, c1, z1).value().to_vector();
    INFO("decoder_target_codes " << codes);
    CHECK((a == b) == !codes);
  }
}

TEST_CASE("image_init_gain multiplies the image encoder's initial gains; exp_width sizes one encoder",
          "[train][recipe]") {
  NfsConfig base = recipe().model;
  base.image_init_gain = 1.0f;
  base.exp_width = 0;
  NfsConfig gained = base;
  gained.image_init_gain = 2.5f;
  gained.exp_width = 12;
  NfsNetwork a(base), b(gained);
  const auto ga = a.image_encoder.convs[3]->weight_g.value().to_vector();
  const auto gb = b.image_encoder.convs[3]->weight_g.value().to_vector();
  for (size_t i = 0; i < ga.size(); ++i) CHECK(gb[i] == Approx(2.5f * ga[i]));
  CHECK(b.image_encoder.fc.weight.value().to_vector()[7] == Approx(2.5f * a.image_encoder.fc.weight.value().to_vector()[7]));
  CHECK(a.image_encoder.convs[3]->weight_v.value().to_vector() == b.image_encoder.convs[3]->weight_v.value().to_vector());
  CHECK(b.exp_encoder.first_lin.weight.value().shape()[0] == 12);
  CHECK(b.id_encoder.first_lin.weight.value().shape()[0] == base.width);
}

TEST_CASE("the recipe resumes bit-exactly, and validation reports every component", "[train][recipe]") {
  test::TempDir dir("recipe_resume");
  Trainer straight(recipe());
  for (int i = 0; i < 3; ++i) straight.step();
  {
    Trainer first(recipe());
    first.step();
    first.save(dir.path.string());
  }
  Trainer resumed(recipe());
  resumed.load_state(dir.path.string());
  for (int i = 0; i < 2; ++i) resumed.step();
  test::check_same_parameters(straight.network(), resumed.network());
  const ComponentMetrics m = straight.validate_components();
  CHECK(std::isfinite(m.exp_r2));
  CHECK(m.exp_r2 <= 1.0);
  CHECK(m.exp_tail >= 0.0);
  CHECK(m.id_vertex > 0.0);
  CHECK(m.skin_accuracy >= 0.0);
  CHECK(m.skin_accuracy <= 1.0);
  CHECK(m.rig_error > 0.0);
}
