#include "nn/nfs_network.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "geometry/render.h"

namespace nfs {

namespace {
constexpr int kConfigVersion = 1;
}

std::string NfsConfig::to_json() const {
  nlohmann::json j = {
      {"format", "nfs-model"},
      {"version", kConfigVersion},
      {"width", width},
      {"exp_width", exp_width},
      {"id_blocks", id_blocks},
      {"exp_blocks", exp_blocks},
      {"skin_blocks", skin_blocks},
      {"code_dim", code_dim},
      {"segments", segments},
      {"eigenpairs", eigenpairs},
      {"skin_hidden", skin_hidden},
      {"decoder_hidden", decoder_hidden},
      {"decoder_hidden_layers", decoder_hidden_layers},
      {"decoder_groups", decoder_groups},
      {"dropout", dropout},
      {"skinning", skinning},
      {"decoder_target_codes", decoder_target_codes},
      {"image_init_gain", image_init_gain},
      {"seed", seed},
      {"num_identity", num_identity},
      {"num_expression", num_expression},
      {"camera",
       {{"distance", camera.distance},
        {"fov_y", camera.fov_y},
        {"width", camera.width},
        {"height", camera.height},
        {"albedo", camera.albedo}}},
  };
  return j.dump();
}

NfsConfig NfsConfig::from_json(const std::string& text, const std::string& label) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(label + ": model configuration is not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || j.value("format", "") != "nfs-model")
    throw std::runtime_error(label + ": not an NFS model configuration");
  if (j.value("version", 0) != kConfigVersion)
    throw std::runtime_error(label + ": model configuration version " +
                             std::to_string(j.value("version", 0)) + " is not supported (expected " +
                             std::to_string(kConfigVersion) + ")");
  NfsConfig c;
  try {
    c.width = j.at("width");
    c.exp_width = j.value("exp_width", int64_t(0));  // absent in older checkpoints: W
    c.id_blocks = j.at("id_blocks");
    c.exp_blocks = j.at("exp_blocks");
    c.skin_blocks = j.at("skin_blocks");
    c.code_dim = j.at("code_dim");
    c.segments = j.at("segments");
    c.eigenpairs = j.at("eigenpairs");
    c.skin_hidden = j.at("skin_hidden");
    c.decoder_hidden = j.at("decoder_hidden");
    c.decoder_hidden_layers = j.at("decoder_hidden_layers");
    c.decoder_groups = j.at("decoder_groups");
    c.dropout = j.at("dropout");
    c.skinning = j.at("skinning");
    c.decoder_target_codes = j.value("decoder_target_codes", true);  // absent before version 1.1
    c.image_init_gain = j.value("image_init_gain", 1.0f);
    c.seed = j.at("seed");
    c.num_identity = j.at("num_identity");
    c.num_expression = j.at("num_expression");
    const auto& cam = j.at("camera");
    c.camera.distance = cam.at("distance");
    c.camera.fov_y = cam.at("fov_y");
    c.camera.width = cam.at("width");
    c.camera.height = cam.at("height");
    c.camera.albedo = cam.at("albedo");
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(label + ": model configuration is incomplete (" + e.what() + ")");
  }
  return c;
}

NfsNetwork::NfsNetwork(const NfsConfig& cfg)
    : config(cfg),
      init(cfg.seed),
      image_encoder(cfg.code_dim, init),
      id_encoder(cfg.vertex_features(), cfg.code_dim, cfg.width, cfg.id_blocks, cfg.dropout, init),
      exp_encoder(cfg.vertex_features(), cfg.code_dim, cfg.expression_width(), cfg.exp_blocks, cfg.dropout, init),
      decoder_out(cfg.decoder_hidden, 3, true, init) {
  if (config.camera.distance == 0.0f) config.camera = canonical_camera();
  if (cfg.decoder_hidden % cfg.decoder_groups != 0)
    throw std::invalid_argument("NfsConfig: decoder_hidden must be a multiple of decoder_groups");
  register_module("image_encoder", image_encoder);
  register_module("id_encoder", id_encoder);
  register_module("exp_encoder", exp_encoder);
  if (cfg.skinning) {
    skin_encoder = std::make_unique<DiffusionNet>(cfg.vertex_features(), cfg.segments, cfg.width,
                                                  cfg.skin_blocks, cfg.dropout, init);
    register_module("skin_encoder", *skin_encoder);
    skinning_mlp = std::make_unique<LinearStack>(
        std::vector<int64_t>{cfg.segments, cfg.skin_hidden, cfg.skin_hidden, cfg.code_dim}, false,
        0.0f, init);
    register_module("skinning.mlp", *skinning_mlp);
  }
  for (int i = 0; i < cfg.decoder_hidden_layers; ++i) {
    const int64_t in = i == 0 ? cfg.decoder_in() : cfg.decoder_hidden;
    decoder_linears.push_back(std::make_unique<Linear>(in, cfg.decoder_hidden, false, init));
    register_module("decoder.linears." + std::to_string(i), *decoder_linears.back());
    decoder_norms.push_back(std::make_unique<GroupNorm>(cfg.decoder_groups, cfg.decoder_hidden));
    register_module("decoder.norms." + std::to_string(i), *decoder_norms.back());
  }
  register_module("decoder.out", decoder_out);
  if (cfg.image_init_gain != 1.0f) {
    const float g = cfg.image_init_gain;
    auto scale_in_place = [g](Var& p) {
      std::vector<float> v = p.value().to_vector();
      for (float& x : v) x *= g;
      p.mutable_value() = Tensor::from_vector(p.value().shape(), v);
    };
    for (auto& conv : image_encoder.convs) scale_in_place(conv->weight_g);
    scale_in_place(image_encoder.fc.weight);
  }
}

Var NfsNetwork::image_code(const Var& image) const { return image_encoder.forward(image); }

Var NfsNetwork::broadcast_rows(const Var& code, int64_t num_vertices) const {
  // [B, C] -> [B, V, C] by broadcasting against ones [1, V, 1].
  const int64_t B = code.shape()[0], C = code.shape()[1];
  Var ones(Tensor::full({1, num_vertices, 1}, 1.0f, code.device()));
  return mul(ones, reshape(code, {B, 1, C}));
}

Var NfsNetwork::vertex_features(const Tensor& positions, const Tensor& normals, const Var& c) const {
  if (positions.ndim() != 3 || positions.size(2) != 3 || normals.shape() != positions.shape())
    throw std::invalid_argument("vertex_features: positions and normals must both be [B, V, 3], got " +
                                positions.shape().str() + " and " + normals.shape().str());
  if (c.shape()[0] != positions.size(0))
    throw std::invalid_argument("vertex_features: " + std::to_string(c.shape()[0]) +
                                " image codes for " + std::to_string(positions.size(0)) + " meshes");
  return concat({Var(positions), Var(normals), broadcast_rows(c, positions.size(1))});
}

Var NfsNetwork::identity_code(const Var& features, const SpectralOperators& ops, uint64_t seed) {
  return vertex_mean(id_encoder.forward(features, ops, seed), ops.mass);
}

Var NfsNetwork::expression_code(const Var& features, const SpectralOperators& ops, uint64_t seed) {
  return vertex_mean(exp_encoder.forward(features, ops, seed), ops.mass);
}

Var NfsNetwork::skin_weights(const Var& features, const SpectralOperators& ops, uint64_t seed) {
  if (!skin_encoder) throw std::logic_error("skin_weights: this model has no skinning encoder");
  return sigmoid(skin_encoder->forward(features, ops, seed));
}

Var NfsNetwork::skinning_omega(const Var& z_skin) const {
  if (!skinning_mlp) return Var();
  return skinning_mlp->forward(z_skin, 0);
}

Var NfsNetwork::localize(const Var& omega, const Var& z_ge, int64_t num_vertices) const {
  const int64_t B = z_ge.shape()[0], C = z_ge.shape()[1];
  if (!omega.defined()) return broadcast_rows(z_ge, num_vertices);
  return mul(omega, reshape(z_ge, {B, 1, C}));
}

Var NfsNetwork::decoder_target_term(const Tensor& positions, const Tensor& normals, const Var& c_tgt,
                                    const Var& z_id) const {
  const int64_t V = positions.size(1);
  if (!config.decoder_target_codes) {
    // The weight columns stay (one checkpoint layout); they multiply zeros.
    const int64_t Bt = positions.size(0);
    Var zeros(Tensor::zeros({Bt, V, 2 * config.code_dim}, positions.device()));
    return linear(concat({Var(positions), Var(normals), zeros}), slice(decoder_linears[0]->weight, 0, config.target_columns()));
  }
  Var input = concat({Var(positions), Var(normals), broadcast_rows(c_tgt, V), broadcast_rows(z_id, V)});
  Var w = slice(decoder_linears[0]->weight, 0, config.target_columns());
  return linear(input, w);
}

Var NfsNetwork::decode(const Var& target_term, const Var& omega, const Var& z_ge) const {
  Var w = slice(decoder_linears[0]->weight, config.target_columns(), config.code_dim);
  if (!omega.defined()) {  // ablation: z_LE = z_GE on every vertex, so the product is per frame
    const int64_t B = z_ge.shape()[0];
    return decoder_tail(add(target_term, reshape(linear(z_ge, w), {B, 1, config.decoder_hidden})));
  }
  return decoder_tail(localized_linear(target_term, omega, z_ge, w));
}

Var NfsNetwork::decode_reference(const Var& target_term, const Var& z_le) const {
  Var w = slice(decoder_linears[0]->weight, config.target_columns(), config.code_dim);
  Var h = add(target_term, linear(z_le, w));
  for (size_t i = 0; i < decoder_linears.size(); ++i) {
    if (i > 0) h = decoder_linears[i]->forward(h);
    h = relu(decoder_norms[i]->forward(h));
  }
  return decoder_out.forward(h);
}

Var NfsNetwork::decoder_tail(const Var& first) const {
  std::vector<Var> gammas, betas, weights;
  for (size_t i = 0; i < decoder_linears.size(); ++i) {
    gammas.push_back(decoder_norms[i]->weight);
    betas.push_back(decoder_norms[i]->bias);
    if (i > 0) weights.push_back(decoder_linears[i]->weight);
  }
  return gn_mlp(first, gammas, betas, weights, decoder_out.weight, decoder_out.bias,
                config.decoder_groups, decoder_norms[0]->eps);
}

}  // namespace nfs
