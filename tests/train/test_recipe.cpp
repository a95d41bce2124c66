// The CPU recipe's departures from the paper (docs/TRAINING.md), each a configuration key: the
// true-code warm-up, loss weights (0 skips a term), code losses as means, the decoder without
// the target codes, the image encoder's init gain, the expression encoder's own width and its
// neutral offsets. And the per-component validation numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "nn/checkpoint.h"
#include "nn/mesh_forward.h"
#include "nn/prepared_target.h"
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
  c.model.exp_neutral_offsets = true;
  c.model.exp_segment_pool = true;
  c.model.exp_segment_channels = 3;
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
  for (const TrainConfig& preset : {cpu_small_config(), gpu_config(), TrainConfig(), c})
    CHECK(TrainConfig::from_json(preset.to_json(), "preset").to_json() == preset.to_json());
  TrainConfig staged = cpu_small_config();
  staged.weights_loss_relative_from = 9250;
  CHECK(TrainConfig::from_json(staged.to_json(), "staged").weights_loss_relative_from == 9250);
  staged.segment_position_weight = 2.0f;
  CHECK(TrainConfig::from_json(staged.to_json(), "staged").segment_position_weight == 2.0f);
  // A run's config written before the key reads with the segmentation it was trained with.
  CHECK(TrainConfig::from_json(R"({"steps": 10})", "old.json").segment_position_weight == 1.0f);
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"segment_position_weight": -1})", "cfg.json"),
                    Catch::Contains("segment_position_weight must be in [0, 1000]"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"steps": 1e30})", "cfg.json"), Catch::Contains("cfg.json: steps must be an integer"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"batch": 2.5})", "cfg.json"), Catch::Contains("batch must be an integer"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"steps": 4294967296})", "cfg.json"), Catch::Contains("steps 4294967296 is out of range"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"lr": "fast"})", "cfg.json"), Catch::Contains("lr must be a number"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"model": {"width": 1e30}})", "cfg.json"), Catch::Contains("width must be an integer"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"loss_weights": {"vertx": 1}})", "cfg.json"),
                    Catch::Contains("cfg.json: unknown loss weight 'vertx'"));
  // A model configuration written before these keys loads with the paper's values.
  std::string old = NfsConfig().to_json();
  for (const char* key : {",\"exp_width\":0", ",\"decoder_target_codes\":true", ",\"image_init_gain\":1.0",
                          ",\"exp_neutral_offsets\":false", ",\"exp_segment_pool\":false", ",\"exp_segment_channels\":16"}) {
    const size_t at = old.find(key);
    REQUIRE(at != std::string::npos);
    old.erase(at, std::string(key).size());
  }
  const NfsConfig o = NfsConfig::from_json(old, "old");
  CHECK(o.exp_width == 0);
  CHECK(o.decoder_target_codes);
  CHECK(o.image_init_gain == 1.0f);
  CHECK(!o.exp_neutral_offsets);
  CHECK(!o.exp_segment_pool);
  // A key this version does not know (a newer model, a typo) is an error, not ignored.
  std::string newer = NfsConfig().to_json();
  newer.insert(newer.size() - 1, ",\"exp_frobnicate\":true");
  CHECK_THROWS_WITH(NfsConfig::from_json(newer, "new.safetensors"), Catch::Contains("unknown key 'exp_frobnicate'"));
  CHECK_THROWS_WITH(TrainConfig::from_json(R"({"model": {"exp_widht": 64}})", "cfg.json"),
                    Catch::Contains("cfg.json: model configuration: unknown key 'exp_widht'"));
  NfsConfig no_skin = c.model;
  no_skin.skinning = false;
  CHECK_THROWS_WITH(NfsConfig::from_json(no_skin.to_json(), "m.json"), Catch::Contains("exp_segment_pool needs the skinning encoder"));
}

TEST_CASE("segment pooling: z_GE is the head of each segment's mass-weighted mean", "[train][recipe]") {
  NfsConfig cfg = recipe().model;
  NfsNetwork net(cfg);
  net.train(false);
  TrainConfig c = recipe();
  c.train_identities = 1;
  Trainer t(c);
  const Topology& topo = t.topologies()[0];
  const PreparedMesh mesh = prepare_mesh(topo, topo.transfer(t.ict_shape({}, {}), 3), int(cfg.eigenpairs), Device::CPU);
  const int64_t V = topo.num_vertices, L = cfg.segments, C = cfg.exp_segment_channels;
  NoGradGuard no_grad;
  std::vector<float> xs(size_t(2 * V * cfg.expression_features()));
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : xs) v = normal(rng);
  Var x(Tensor::from_vector({2, V, cfg.expression_features()}, xs));
  const std::vector<float> h = net.exp_encoder.forward(x, mesh.ops, 0).value().to_vector();
  const std::vector<float> m = mesh.ops.mass.to_vector();
  // Each vertex in segment (i mod L) only: the pooled rows are the means over those vertices.
  std::vector<float> s(size_t(2 * V * L), 0.0f);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < V; ++i) s[size_t((b * V + i) * L + (i + b) % L)] = 1.0f;
  std::vector<float> pooled(size_t(2 * L * C), 0.0f);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t l = 0; l < L; ++l) {
      double total = 0.0;
      std::vector<double> sum(size_t(C), 0.0);
      for (int64_t i = 0; i < V; ++i)
        if ((i + b) % L == l) {
          total += m[i];
          for (int64_t k = 0; k < C; ++k) sum[k] += double(m[i]) * h[size_t((b * V + i) * C + k)];
        }
      for (int64_t k = 0; k < C; ++k) pooled[size_t((b * L + l) * C + k)] = float(sum[k] / total);
    }
  const auto expected = net.exp_head->forward(Var(Tensor::from_vector({2, L * C}, pooled))).value().to_vector();
  const auto got = net.expression_code(x, mesh.ops, 0, Var(Tensor::from_vector({2, V, L}, s))).value().to_vector();
  REQUIRE(got.size() == expected.size());
  for (size_t k = 0; k < got.size(); ++k) CHECK(got[k] == Approx(expected[k]).margin(1e-5));
  CHECK_THROWS_WITH(net.expression_code(x, mesh.ops, 0), Catch::Contains("needs the source's z_Skin"));
}

TEST_CASE("with exp_neutral_offsets the expression code reads each frame against the source's neutral",
          "[train][recipe]") {
  TrainConfig c = recipe();
  c.train_identities = 1;
  Trainer t(c);
  const Topology& topo = t.topologies()[0];
  std::vector<float> w(53, 0.0f);
  w[26] = 1.0f;  // jawOpen
  const std::vector<float> neutral = topo.transfer(t.ict_shape({}, {}), 3), frame = topo.transfer(t.ict_shape({}, w), 3);
  const PreparedMesh from_neutral = prepare_mesh(topo, neutral, int(c.model.eigenpairs), Device::CPU);
  PreparedMesh from_frame = from_neutral;  // the same operators, the frame itself as the neutral
  from_frame.neutral = frame;
  for (bool offsets : {false, true}) {
    NfsConfig cfg = c.model;
    cfg.exp_neutral_offsets = offsets;
    NfsNetwork net(cfg);
    net.train(false);
    CHECK(net.exp_encoder.first_lin.weight.value().shape()[1] == cfg.vertex_features() + (offsets ? 6 : 0));
    const FrameBatch b = make_frames(frame, 1, from_neutral, cfg.camera, Device::CPU);
    NoGradGuard no_grad;
    const auto a = encode_source(net, b, from_neutral, 0).value().to_vector();
    const auto z = encode_source(net, b, from_frame, 0).value().to_vector();
    INFO("exp_neutral_offsets " << offsets);
    CHECK((a == z) == !offsets);  // the neutral matters exactly when the offsets are read
    if (offsets) {
      PreparedMesh short_neutral = from_neutral;
      short_neutral.neutral.resize(neutral.size() - 3);
      CHECK_THROWS_WITH(encode_source(net, b, short_neutral, 0), Catch::Contains("the source neutral has"));
      CHECK_THROWS_WITH(encode_expressions(net, b.positions, b.normals, b.images, from_neutral.ops),
                        Catch::Contains("use encode_source"));
    }
  }
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

TEST_CASE("init_from copies the matching tensors of a checkpoint and leaves a resized encoder fresh",
          "[train][recipe]") {
  test::TempDir dir("init_from");
  TrainConfig base = recipe();
  base.train_identities = 1;
  base.model.exp_neutral_offsets = base.model.exp_segment_pool = false;
  {
    Trainer first(base);
    first.step();
    first.save(dir.path.string());
  }
  const std::string ckpt = (dir.path / "model.safetensors").string();
  TrainConfig warm = recipe();
  warm.train_identities = 1;
  warm.init_from = ckpt;
  warm.model.seed = 9;  // a different initialization: what is copied must equal the checkpoint
  Trainer t(warm);
  t.warm_start();
  const LoadedCheckpoint ck = load_checkpoint(ckpt);
  std::map<std::string, Var> saved;
  for (const auto& [name, p] : ck.network->named_parameters()) saved[name] = p;
  int copied = 0, fresh = 0;
  for (const auto& [name, p] : t.network().named_parameters()) {
    const bool resized = name == "exp_encoder.first_lin.weight" || name.rfind("exp_encoder.last_lin", 0) == 0 ||
                         name.rfind("exp_head", 0) == 0;
    INFO(name);
    if (resized) {
      ++fresh;
      if (saved.count(name)) CHECK(saved[name].value().shape() != p.value().shape());
    } else {
      ++copied;
      REQUIRE(saved.count(name));
      CHECK(saved[name].value().to_vector() == p.value().to_vector());
    }
  }
  CHECK(copied > 0);
  CHECK(fresh == 5);  // first_lin weight (6 more inputs), last_lin weight + bias, exp_head weight + bias
  CHECK(TrainConfig::from_json(warm.to_json(), "warm").init_from == ckpt);
  TrainConfig bad = warm;
  bad.init_from = (dir.path / "missing.safetensors").string();
  Trainer b(bad);
  CHECK_THROWS_WITH(b.warm_start(), Catch::Contains("missing.safetensors"));
}
