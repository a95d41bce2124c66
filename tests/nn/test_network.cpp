// The NFS network on small synthetic meshes: fused paths against their references, batching,
// finite-difference gradients through the whole model, checkpoints.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "kernels/op_case.h"
#include "nn/checkpoint.h"
#include "nn/nfs_network.h"
#include "nn/prepared_target.h"
#include "nn/safetensors.h"
#include "support/temp_dir.h"

using namespace nfs;
using nfs::test::random_tensor;

namespace {

NfsConfig tiny_config(bool skinning = true) {
  NfsConfig c;
  c.width = 8;
  c.id_blocks = 1;
  c.exp_blocks = 1;
  c.skin_blocks = 1;
  c.code_dim = 16;
  c.segments = 4;
  c.eigenpairs = 5;
  c.skin_hidden = 8;
  c.decoder_hidden = 16;
  c.decoder_groups = 4;
  c.decoder_hidden_layers = 3;
  c.skinning = skinning;
  c.seed = 3;
  return c;
}

// Operators of a made-up V-vertex mesh: what the network does with them does not depend on
// their geometric meaning, only on their shapes.
SpectralOperators synthetic_operators(int64_t V, int64_t K, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<int32_t> r, c;
  std::vector<float> vx, vy;
  for (int32_t i = 0; i < V; ++i)
    for (int32_t j : {i, int32_t((i + 1) % V), int32_t((i + 3) % V)}) {
      r.push_back(i);
      c.push_back(j);
      vx.push_back(u(rng));
      vy.push_back(u(rng));
    }
  return SpectralOperators::make(random_tensor({V}, seed + 1, 0.5f, 1.5f),
                                 random_tensor({K}, seed + 2, 0.0f, 2.0f),
                                 random_tensor({V, K}, seed + 3, -0.5f, 0.5f),
                                 CsrMatrix::from_triplets(V, V, r, c, vx),
                                 CsrMatrix::from_triplets(V, V, r, c, vy));
}

struct Scene {
  SpectralOperators src_ops, tgt_ops;
  Tensor src_pos, src_nrm, tgt_pos, tgt_nrm;  // [B, Vs, 3] and [1, Vt, 3]
  Tensor c_src, c_tgt;                        // image codes, given directly
};

Scene make_scene(int64_t B) {
  Scene s;
  s.src_ops = synthetic_operators(10, 5, 11);
  s.tgt_ops = synthetic_operators(12, 5, 21);
  s.src_pos = random_tensor({B, 10, 3}, 31);
  s.src_nrm = random_tensor({B, 10, 3}, 32);
  s.tgt_pos = random_tensor({1, 12, 3}, 33);
  s.tgt_nrm = random_tensor({1, 12, 3}, 34);
  s.c_src = random_tensor({B, 16}, 35);
  s.c_tgt = random_tensor({1, 16}, 36);
  return s;
}

// Retargets the scene's B source frames onto its target: Δv [B, Vt, 3].
Var retarget(NfsNetwork& net, const Scene& s, const Var& c_src, const Var& c_tgt) {
  Var z_ge = net.expression_code(net.vertex_features(s.src_pos, s.src_nrm, c_src), s.src_ops, 1);
  Var tgt_features = net.vertex_features(s.tgt_pos, s.tgt_nrm, c_tgt);
  Var z_id = net.identity_code(tgt_features, s.tgt_ops, 2);
  Var omega = net.config.skinning ? net.skinning_omega(net.skin_weights(tgt_features, s.tgt_ops, 3)) : Var();
  Var term = net.decoder_target_term(s.tgt_pos, s.tgt_nrm, c_tgt, z_id);
  return net.decode(term, omega, z_ge);
}

void check_close(const Tensor& a, const Tensor& b, double tol) {
  std::vector<float> x = a.to_vector(), y = b.to_vector();
  REQUIRE(x.size() == y.size());
  for (size_t i = 0; i < x.size(); ++i) CHECK(x[i] == Approx(y[i]).margin(tol));
}

}  // namespace

TEST_CASE("parameter names follow the module tree of SPEC §8", "[network]") {
  NfsNetwork net(tiny_config());
  std::map<std::string, Shape> names;
  for (const auto& [name, p] : net.named_parameters()) names[name] = p.shape();
  CHECK(names.at("exp_encoder.first_lin.weight") == Shape{8, 6 + 16});  // 134 at code_dim 128
  CHECK(names.at("exp_encoder.blocks.0.diffusion_time") == Shape{8});
  CHECK(names.at("exp_encoder.blocks.0.grad_features.A_re.weight") == Shape{8, 8});
  CHECK(names.at("exp_encoder.blocks.0.mlp.0.weight") == Shape{8, 24});
  CHECK(names.at("image_encoder.convs.0.weight_v") == Shape{16, 3, 4, 4});
  CHECK(names.at("image_encoder.convs.0.weight_g") == Shape{16, 1, 1, 1});
  CHECK(names.at("image_encoder.convs.7.bias") == Shape{128});
  CHECK(names.at("skinning.mlp.0.weight") == Shape{8, 4});
  CHECK(names.at("decoder.linears.0.weight") == Shape{16, 6 + 3 * 16});
  CHECK(names.at("decoder.norms.2.bias") == Shape{16});
  CHECK(names.at("decoder.out.bias") == Shape{3});
  CHECK(names.count("skinning.mlp.0.bias") == 0);  // bias-free
  CHECK(names.count("decoder.linears.1.bias") == 0);
  NfsNetwork ablation(tiny_config(false));
  for (const auto& [name, p] : ablation.named_parameters()) {
    CHECK(name.rfind("skin", 0) != 0);  // neither skin_encoder nor skinning
  }
}

TEST_CASE("fused spectral diffusion equals the composed reference", "[network]") {
  ParamInit init(5);
  DiffusionBlock block(8, 0.0f, init);
  block.diffusion_time.mutable_value().copy_(random_tensor({8}, 6, 0.0f, 0.8f));
  SpectralOperators ops = synthetic_operators(10, 5, 7);
  Var x1(random_tensor({2, 10, 8}, 8), true), x2(x1.value().clone(), true);
  Var a = block.diffuse(x1, ops);
  Tensor t_grad_fused;
  Tensor seed = random_tensor({2, 10, 8}, 9);
  a.backward(seed);
  t_grad_fused = block.diffusion_time.grad().clone();
  block.diffusion_time.zero_grad();
  Var b = block.diffuse_reference(x2, ops);
  b.backward(seed);
  check_close(a.value(), b.value(), 1e-5);
  check_close(x1.grad(), x2.grad(), 1e-5);
  check_close(t_grad_fused, block.diffusion_time.grad(), 1e-4);
}

TEST_CASE("fused decode equals localize-then-decode, forward and gradients", "[network]") {
  NfsNetwork net(tiny_config());
  Var term(random_tensor({1, 12, 16}, 41), true), omega(random_tensor({1, 12, 16}, 42), true),
      z(random_tensor({3, 16}, 43), true);
  Var fused = net.decode(term, omega, z);
  Tensor seed = random_tensor(fused.shape(), 44);
  fused.backward(seed);
  Tensor g_term = term.grad().clone(), g_omega = omega.grad().clone(), g_z = z.grad().clone();
  term.zero_grad();
  omega.zero_grad();
  z.zero_grad();
  Var plain = net.decode_reference(term, net.localize(omega, z, 12));
  plain.backward(seed);
  check_close(fused.value(), plain.value(), 1e-4);
  check_close(g_term, term.grad(), 1e-4);
  check_close(g_omega, omega.grad(), 1e-4);
  check_close(g_z, z.grad(), 1e-4);
}

TEST_CASE("decoding a batch of frames equals decoding them one by one", "[network]") {
  NoGradGuard no_grad;
  for (bool skinning : {true, false}) {
    NfsNetwork net(tiny_config(skinning));
    Scene s = make_scene(4);
    Tensor batched = retarget(net, s, Var(s.c_src), Var(s.c_tgt)).value();
    std::vector<float> all = batched.to_vector();
    const int64_t per = 12 * 3;
    for (int64_t b = 0; b < 4; ++b) {
      Scene one = s;
      auto frame = [&](const Tensor& t, int64_t n) {
        std::vector<float> v = t.to_vector();
        return Tensor::from_vector({1, n, t.size(-1)},
                                   std::vector<float>(v.begin() + b * n * t.size(-1), v.begin() + (b + 1) * n * t.size(-1)));
      };
      one.src_pos = frame(s.src_pos, 10);
      one.src_nrm = frame(s.src_nrm, 10);
      one.c_src = frame(s.c_src.reshape({4, 1, 16}), 1).reshape({1, 16});
      std::vector<float> single = retarget(net, one, Var(one.c_src), Var(one.c_tgt)).value().to_vector();
      for (int64_t i = 0; i < per; ++i) CHECK(single[i] == Approx(all[b * per + i]).margin(1e-5));
    }
  }
}

TEST_CASE("whole-model gradients match finite differences", "[network]") {
  NfsNetwork net(tiny_config());
  Scene s = make_scene(2);
  Var c_src(s.c_src, true), c_tgt(s.c_tgt, true);
  Tensor R = random_tensor({2, 12, 3}, 51);
  auto loss_value = [&]() {
    NoGradGuard no_grad;
    std::vector<float> d = retarget(net, s, c_src, c_tgt).value().to_vector(), r = R.to_vector();
    double acc = 0.0;
    for (size_t i = 0; i < d.size(); ++i) acc += double(d[i]) * r[i];
    return acc;
  };
  retarget(net, s, c_src, c_tgt).backward(R);
  std::vector<std::pair<std::string, Var>> checked = {{"c_src", c_src}, {"c_tgt", c_tgt}};
  for (const auto& [name, p] : net.named_parameters())
    if (name.rfind("image_encoder", 0) != 0) checked.emplace_back(name, p);
  int compared = 0;
  double worst = 0.0;
  for (auto& [name, p] : checked) {
    REQUIRE(p.grad().defined());
    std::vector<float> g = p.grad().to_vector();
    float* x = p.mutable_value().f32();
    for (int64_t j : {int64_t(0), p.value().numel() / 2}) {
      const float x0 = x[j], eps = 2e-3f;
      x[j] = x0 + eps;
      const double lp = loss_value();
      x[j] = x0 - eps;
      const double lm = loss_value();
      x[j] = x0;
      const double numeric = (lp - lm) / (2 * eps);
      const double err = std::abs(numeric - g[j]), bound = 5e-3 + 5e-2 * std::abs(numeric);
      worst = std::max(worst, err / bound);
      INFO(name << "[" << j << "]: analytic " << g[j] << ", numeric " << numeric);
      CHECK(err <= bound);
      ++compared;
    }
  }
  std::printf("whole-model gradcheck: %d values, worst error / tolerance = %.3f\n", compared, worst);
}

TEST_CASE("image encoder gradients match finite differences", "[network]") {
  ParamInit init(12);
  ImageEncoder enc(16, init);
  Var image(random_tensor({1, 3, 256, 256}, 13, 0.0f, 1.0f));
  Tensor R = random_tensor({1, 16}, 14);
  enc.forward(image).backward(R);
  auto loss_value = [&]() {
    NoGradGuard no_grad;
    std::vector<float> c = enc.forward(image).value().to_vector(), r = R.to_vector();
    double acc = 0.0;
    for (size_t i = 0; i < c.size(); ++i) acc += double(c[i]) * r[i];
    return acc;
  };
  for (auto& [name, p] : enc.named_parameters()) {
    if (name.find("convs.1.") == 0 || name.find("convs.7.") == 0 || name.find("fc.") == 0) {
      float* x = p.mutable_value().f32();
      const float x0 = x[0], eps = 2e-3f;
      x[0] = x0 + eps;
      const double lp = loss_value();
      x[0] = x0 - eps;
      const double lm = loss_value();
      x[0] = x0;
      const double numeric = (lp - lm) / (2 * eps), analytic = p.grad().to_vector()[0];
      INFO(name << ": analytic " << analytic << ", numeric " << numeric);
      CHECK(std::abs(numeric - analytic) <= 5e-3 + 5e-2 * std::abs(numeric));
    }
  }
}

TEST_CASE("checkpoint save and load give identical outputs; mismatches fail clearly", "[network][checkpoint]") {
  NoGradGuard no_grad;
  NfsNetwork net(tiny_config());
  Scene s = make_scene(2);
  test::TempDir dir("checkpoint");
  const std::string path = dir.file("tiny_model.safetensors"), bad = dir.file("bad.safetensors");
  save_checkpoint(path, net, {{"training_steps", "0"}});
  LoadedCheckpoint loaded = load_checkpoint(path);
  CHECK(loaded.metadata.at("training_steps") == "0");
  CHECK(loaded.network->config.to_json() == net.config.to_json());
  std::vector<float> a = retarget(net, s, Var(s.c_src), Var(s.c_tgt)).value().to_vector();
  std::vector<float> b = retarget(*loaded.network, s, Var(s.c_src), Var(s.c_tgt)).value().to_vector();
  CHECK(a == b);

  SafetensorsFile f = read_safetensors(path);
  SECTION("a missing tensor") {
    f.tensors.erase("decoder.out.bias");
    write_safetensors(bad, f.tensors, f.metadata);
    CHECK_THROWS_WITH(load_checkpoint(bad),
                      Catch::Contains("bad.safetensors: tensor 'decoder.out.bias' is missing"));
  }
  SECTION("a tensor of the wrong shape") {
    f.tensors["decoder.out.bias"] = Tensor::zeros({4});
    write_safetensors(bad, f.tensors, f.metadata);
    CHECK_THROWS_WITH(load_checkpoint(bad),
                      Catch::Contains("tensor 'decoder.out.bias' has shape [4], the network needs [3]"));
  }
  SECTION("a configuration that does not match the tensors") {
    NfsConfig other = tiny_config();
    other.width = 16;
    f.metadata["config"] = other.to_json();
    write_safetensors(bad, f.tensors, f.metadata);
    CHECK_THROWS_WITH(load_checkpoint(bad), Catch::Contains("first_lin.weight' has shape [8, 22], the network needs [16, 22]"));
  }
  SECTION("an extra tensor, and a missing configuration") {
    f.tensors["stray"] = Tensor::zeros({1});
    write_safetensors(bad, f.tensors, f.metadata);
    CHECK_THROWS_WITH(load_checkpoint(bad), Catch::Contains("tensor 'stray' is not part"));
    f.metadata.erase("config");
    write_safetensors(bad, f.tensors, f.metadata);
    CHECK_THROWS_WITH(load_checkpoint(bad), Catch::Contains("no model configuration"));
  }
}

TEST_CASE("a prepared target decodes exactly what the full retarget computes", "[network]") {
  NfsNetwork net(tiny_config());
  net.train(false);
  Scene s = make_scene(3);
  Tensor src_images = random_tensor({3, 3, 256, 256}, 61, 0.0f, 0.5f);
  Tensor tgt_image = random_tensor({1, 3, 256, 256}, 62, 0.0f, 0.5f);
  NoGradGuard no_grad;
  // Full path with the images going through the image encoder.
  Var c_src = net.image_code(Var(src_images)), c_tgt = net.image_code(Var(tgt_image));
  std::vector<float> full = retarget(net, s, c_src, c_tgt).value().to_vector();
  PreparedTarget target = prepare_target(net, s.tgt_pos, s.tgt_nrm, tgt_image, s.tgt_ops);
  Tensor z = encode_expressions(net, s.src_pos, s.src_nrm, src_images, s.src_ops);
  std::vector<float> fast = decode_frames(net, target, z).to_vector();
  REQUIRE(full.size() == fast.size());
  for (size_t i = 0; i < full.size(); ++i) CHECK(full[i] == Approx(fast[i]).margin(1e-6));
}

TEST_CASE("min_parameter_count bounds the network's size from below, tightly", "[network][checkpoint]") {
  NfsConfig small = tiny_config(), ablation = tiny_config(false), paper, wide = tiny_config();
  wide.width = 64;
  wide.decoder_hidden = 128;
  wide.decoder_hidden_layers = 5;
  for (const NfsConfig& c : {small, ablation, paper, wide}) {
    NfsNetwork net(c);
    int64_t n = 0;
    for (const auto& [name, p] : net.named_parameters()) n += p.value().numel();
    INFO(c.to_json());
    CHECK(c.min_parameter_count() <= n);
    // Only biases, norms and the image encoder's fixed convolutions are left out.
    CHECK(n - c.min_parameter_count() < 600000 + n / 10);
  }
}

TEST_CASE("a model configuration outside its ranges fails before anything is allocated", "[network][checkpoint]") {
  test::TempDir dir("hostile_config");
  NfsNetwork net(tiny_config());
  const std::string good = dir.file("good.safetensors"), bad = dir.file("bad.safetensors");
  save_checkpoint(good, net);
  SafetensorsFile f = read_safetensors(good);
  auto with = [&](const std::string& key, const nlohmann::json& value) {
    nlohmann::json c = nlohmann::json::parse(f.metadata.at("config"));
    c[key] = value;
    std::map<std::string, std::string> m = f.metadata;
    m["config"] = c.dump();
    write_safetensors(bad, f.tensors, m);
  };
  with("decoder_groups", 0);
  CHECK_THROWS_WITH(load_checkpoint(bad), Catch::Contains("bad.safetensors: model configuration: decoder_groups 0"));
  with("width", -3);
  CHECK_THROWS_WITH(load_checkpoint(bad), Catch::Contains("width -3 is outside [1, 4096]"));
  with("decoder_hidden", int64_t(1) << 40);
  CHECK_THROWS_WITH(load_checkpoint(bad), Catch::Contains("decoder_hidden 1099511627776 is outside"));
  with("dropout", 1.5);
  CHECK_THROWS_WITH(load_checkpoint(bad), Catch::Contains("dropout must be in [0, 1)"));
  // In range, but far more parameters than the file holds: rejected from the sizes alone (a
  // network of width 4096 would need gigabytes).
  with("width", 4096);
  CHECK_THROWS_WITH(load_checkpoint(bad), Catch::Contains("needs at least") && Catch::Contains("the file holds"));
}
