#include "nn/nfs_network.h"

#include "nn/json_field.h"

#include <cmath>
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
      {"exp_neutral_offsets", exp_neutral_offsets},
      {"exp_segment_pool", exp_segment_pool},
      {"exp_segment_channels", exp_segment_channels},
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

namespace {

// The sizes a configuration may have. Far beyond any useful network (the paper's is width 128,
// decoder 256 x 7), small enough that the products below cannot overflow and that a hostile
// configuration fails here instead of allocating (docs/RELIABILITY.md).
constexpr int64_t kMaxWidth = 4096, kMaxBlocks = 64, kMaxSegments = 1024, kMaxEigenpairs = 4096,
                  kMaxHidden = 8192, kMaxLayers = 64, kMaxCodes = 100000, kMaxImage = 4096;

void require(bool ok, const std::string& label, const std::string& what) {
  if (!ok) throw std::runtime_error(label + ": model configuration: " + what);
}

void require_range(int64_t v, int64_t lo, int64_t hi, const std::string& label, const char* name) {
  require(v >= lo && v <= hi, label,
          std::string(name) + " " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
              std::to_string(hi) + "]");
}

// First linear, 7 W x W per block (gradient features 2, MLP 3W -> W -> W -> W 5), last linear.
int64_t diffusion_net_weights(int64_t c_in, int64_t c_out, int64_t width, int64_t blocks) {
  return c_in * width + blocks * 7 * width * width + width * c_out;
}

}  // namespace

int64_t NfsConfig::min_parameter_count() const {
  int64_t n = 128 * code_dim;  // the image encoder's fc
  n += diffusion_net_weights(vertex_features(), code_dim, width, id_blocks);
  n += diffusion_net_weights(expression_features(), expression_outputs(), expression_width(), exp_blocks);
  if (exp_segment_pool) n += segments * exp_segment_channels * code_dim;
  if (skinning) {
    n += diffusion_net_weights(vertex_features(), segments, width, skin_blocks);
    n += segments * skin_hidden + skin_hidden * skin_hidden + skin_hidden * code_dim;
  }
  n += decoder_in() * decoder_hidden + int64_t(decoder_hidden_layers - 1) * decoder_hidden * decoder_hidden;
  return n + decoder_hidden * 3;
}

void NfsConfig::check(const std::string& label) const {
  require_range(width, 1, kMaxWidth, label, "width");
  require_range(exp_width, 0, kMaxWidth, label, "exp_width");
  require_range(id_blocks, 1, kMaxBlocks, label, "id_blocks");
  require_range(exp_blocks, 1, kMaxBlocks, label, "exp_blocks");
  require_range(skin_blocks, 1, kMaxBlocks, label, "skin_blocks");
  require_range(code_dim, 1, kMaxWidth, label, "code_dim");
  require_range(segments, 1, kMaxSegments, label, "segments");
  require_range(eigenpairs, 1, kMaxEigenpairs, label, "eigenpairs");
  require_range(skin_hidden, 1, kMaxHidden, label, "skin_hidden");
  require_range(decoder_hidden, 1, kMaxHidden, label, "decoder_hidden");
  require_range(decoder_hidden_layers, 1, kMaxLayers, label, "decoder_hidden_layers");
  require_range(decoder_groups, 1, decoder_hidden, label, "decoder_groups");
  require(decoder_hidden % decoder_groups == 0, label,
          "decoder_hidden must be a multiple of decoder_groups");
  require_range(num_identity, 1, kMaxCodes, label, "num_identity");
  require_range(num_expression, 1, kMaxCodes, label, "num_expression");
  require(std::isfinite(dropout) && dropout >= 0.0f && dropout < 1.0f, label, "dropout must be in [0, 1)");
  require(std::isfinite(image_init_gain) && image_init_gain > 0.0f, label, "image_init_gain must be positive");
  require_range(exp_segment_channels, 1, kMaxWidth, label, "exp_segment_channels");
  require(!exp_segment_pool || skinning, label, "exp_segment_pool needs the skinning encoder");
  require_range(camera.width, 1, kMaxImage, label, "camera width");
  require_range(camera.height, 1, kMaxImage, label, "camera height");
  require(std::isfinite(camera.distance) && camera.distance >= 0.0f && std::isfinite(camera.fov_y) &&
              camera.fov_y >= 0.0f && camera.fov_y < 3.1f && std::isfinite(camera.albedo),
          label, "camera distance, fov_y and albedo must be finite and non-negative");
}

NfsConfig NfsConfig::from_json(const std::string& text, const std::string& label) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(label + ": model configuration is not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || json_field<std::string>(j, "format", "", label) != "nfs-model")
    throw std::runtime_error(label + ": not an NFS model configuration");
  if (const int version = json_field<int>(j, "version", 0, label); version != kConfigVersion)
    throw std::runtime_error(label + ": model configuration version " +
                             std::to_string(version) + " is not supported (expected " +
                             std::to_string(kConfigVersion) + ")");
  // Unknown keys are errors: a model from a newer version (or a typo in a training config's
  // "model" section) must not load as something else.
  static const nlohmann::json known = nlohmann::json::parse(NfsConfig().to_json());  // every key it writes
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.contains(it.key()))
      throw std::runtime_error(label + ": model configuration: unknown key '" + it.key() +
                               "' (a model of a newer version?)");
  NfsConfig c;
  try {
    c.width = json_required<decltype(c.width)>(j, "width", label);
    c.exp_width = json_field<decltype(c.exp_width)>(j, "exp_width", int64_t(0), label);  // absent in older checkpoints: W
    c.id_blocks = json_required<decltype(c.id_blocks)>(j, "id_blocks", label);
    c.exp_blocks = json_required<decltype(c.exp_blocks)>(j, "exp_blocks", label);
    c.skin_blocks = json_required<decltype(c.skin_blocks)>(j, "skin_blocks", label);
    c.code_dim = json_required<decltype(c.code_dim)>(j, "code_dim", label);
    c.segments = json_required<decltype(c.segments)>(j, "segments", label);
    c.eigenpairs = json_required<decltype(c.eigenpairs)>(j, "eigenpairs", label);
    c.skin_hidden = json_required<decltype(c.skin_hidden)>(j, "skin_hidden", label);
    c.decoder_hidden = json_required<decltype(c.decoder_hidden)>(j, "decoder_hidden", label);
    c.decoder_hidden_layers = json_required<decltype(c.decoder_hidden_layers)>(j, "decoder_hidden_layers", label);
    c.decoder_groups = json_required<decltype(c.decoder_groups)>(j, "decoder_groups", label);
    c.dropout = json_required<decltype(c.dropout)>(j, "dropout", label);
    c.skinning = json_required<decltype(c.skinning)>(j, "skinning", label);
    c.decoder_target_codes = json_field<decltype(c.decoder_target_codes)>(
        j, "decoder_target_codes", true, label);  // absent before version 1.1
    c.image_init_gain = json_field<decltype(c.image_init_gain)>(j, "image_init_gain", 1.0f, label);
    c.exp_neutral_offsets = json_field<decltype(c.exp_neutral_offsets)>(j, "exp_neutral_offsets", false, label);  // absent: off
    c.exp_segment_pool = json_field<decltype(c.exp_segment_pool)>(j, "exp_segment_pool", false, label);
    c.exp_segment_channels = json_field<decltype(c.exp_segment_channels)>(j, "exp_segment_channels", int64_t(16), label);
    c.seed = json_required<decltype(c.seed)>(j, "seed", label);
    c.num_identity = json_required<decltype(c.num_identity)>(j, "num_identity", label);
    c.num_expression = json_required<decltype(c.num_expression)>(j, "num_expression", label);
    const auto& cam = j.at("camera");
    c.camera.distance = json_required<decltype(c.camera.distance)>(cam, "distance", label);
    c.camera.fov_y = json_required<decltype(c.camera.fov_y)>(cam, "fov_y", label);
    c.camera.width = json_required<decltype(c.camera.width)>(cam, "width", label);
    c.camera.height = json_required<decltype(c.camera.height)>(cam, "height", label);
    c.camera.albedo = json_required<decltype(c.camera.albedo)>(cam, "albedo", label);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(label + ": model configuration is incomplete (" + e.what() + ")");
  }
  c.check(label);
  return c;
}

NfsNetwork::NfsNetwork(const NfsConfig& cfg)
    : config(cfg),
      init(cfg.seed),
      image_encoder(cfg.code_dim, init),
      id_encoder(cfg.vertex_features(), cfg.code_dim, cfg.width, cfg.id_blocks, cfg.dropout, init),
      exp_encoder(cfg.expression_features(), cfg.expression_outputs(), cfg.expression_width(), cfg.exp_blocks, cfg.dropout, init),
      decoder_out(cfg.decoder_hidden, 3, true, init) {
  if (config.camera.distance == 0.0f) config.camera = canonical_camera();
  if (cfg.decoder_hidden % cfg.decoder_groups != 0)
    throw std::invalid_argument("NfsConfig: decoder_hidden must be a multiple of decoder_groups");
  if (cfg.exp_segment_pool && !cfg.skinning)
    throw std::invalid_argument("NfsConfig: exp_segment_pool needs the skinning encoder");
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
  if (cfg.exp_segment_pool) {  // last, so that every other module draws the same initial values
    exp_head = std::make_unique<Linear>(cfg.segments * cfg.exp_segment_channels, cfg.code_dim, true, init);
    register_module("exp_head", *exp_head);
  }
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

Var NfsNetwork::expression_code(const Var& features, const SpectralOperators& ops, uint64_t seed,
                                const Var& z_skin) {
  Var h = exp_encoder.forward(features, ops, seed);
  if (!config.exp_segment_pool) return vertex_mean(h, ops.mass);
  if (!z_skin.defined())
    throw std::invalid_argument("expression_code: this model pools per segment and needs the source's z_Skin");
  // Segment means: P[b, l, :] = Σ_i m_i s_bil h_bi / Σ_i m_i s_bil, as one batched product with
  // the normalized weights (constants: z_Skin is detached), computed where h lives.
  const int64_t B = h.shape()[0], L = config.segments;
  if (z_skin.shape() != Shape{B, h.shape()[1], L})
    throw std::invalid_argument("expression_code: z_Skin " + z_skin.shape().str() + " for " + h.shape().str());
  Var pooled = matmul(Var(segment_weights(z_skin.value(), ops.mass)), h, true);  // [B, L, C]
  return exp_head->forward(reshape(pooled, {B, L * config.exp_segment_channels}));
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
    return linear(concat({Var(positions), Var(normals), zeros}),
                  slice(decoder_linears[0]->weight, 0, config.target_columns()));
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
