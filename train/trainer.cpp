#include "train/trainer.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "geometry/canonical.h"
#include "nn/checkpoint.h"
#include "nn/safetensors.h"
#include "train/losses.h"
#include "train/segmentation.h"

namespace nfs {

namespace {
// Random streams of one run (stream_rng's second argument).
constexpr uint64_t kStreamSteps = 1, kStreamValidation = 2, kStreamRemesh = 3;

std::vector<int32_t> load_or_make_labels(const TrainConfig& c, const IctModel& ict) {
  const int L = int(c.model.segments);
  if (!c.segments_file.empty()) {
    SafetensorsFile f = read_safetensors(c.segments_file);
    std::vector<int32_t> labels = f.at("labels").to_int_vector();
    if (int64_t(labels.size()) != ict.num_vertices)
      throw std::runtime_error(c.segments_file + ": labels for " + std::to_string(labels.size()) +
                               " vertices, the model has " + std::to_string(ict.num_vertices));
    for (int32_t l : labels)
      if (l < 0 || l >= L)
        throw std::runtime_error(c.segments_file + ": label " + std::to_string(l) + " outside [0, " + std::to_string(L) + ")");
    return labels;
  }
  SegmentationOptions opt;
  opt.segments = L;
  opt.position_weight = c.segment_position_weight;
  std::vector<int32_t> sizes(ict.quads.size() / 4, 4);
  return segment_face(ict.neutral, ict.expression_deltas, ict.num_expressions(), ict.quads, sizes, opt);
}

void add_similarity(std::vector<float>& p, float s, const float offset[3]) {
  for (size_t i = 0; i < p.size(); ++i) p[i] = p[i] * s + offset[i % 3];
}
}  // namespace

const std::vector<std::string>& StepLosses::names() {
  static const std::vector<std::string> n = {"total",      "vertex",     "normal",         "jacobian", "identity",
                                             "expression", "projection", "reconstruction", "weights",  "skin",
                                             "range"};
  return n;
}

std::vector<double> StepLosses::values() const {
  return {total, vertex, normal, jacobian, identity, expression, projection, reconstruction, weights, skin, range};
}

Trainer::Trainer(const TrainConfig& config, const std::function<void(const std::string&)>& progress)
    : config_(config), device_(parse_device(config.device)) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  ict_ = load_ict_model(config.ict_model.empty() ? default_ict_model_path() : config.ict_model);
  if (ict_.num_expressions() != config.model.num_expression || ict_.num_identities() < config.train_identities)
    throw std::runtime_error(ict_.path + ": the model has " + std::to_string(ict_.num_expressions()) +
                             " expressions and " + std::to_string(ict_.num_identities()) +
                             " identities; training needs " + std::to_string(config.model.num_expression) +
                             " and " + std::to_string(config.train_identities));
  say("segments: " + std::to_string(config.model.segments));
  labels_ = load_or_make_labels(config, ict_);

  if (config.ict_topology) topologies_.push_back(ict_topology(ict_, labels_));
  for (size_t i = 0; i < config.remesh_vertices.size(); ++i) {
    say("re-meshing the ICT head to " + std::to_string(config.remesh_vertices[i]) + " vertices");
    topologies_.push_back(remeshed_topology(ict_, labels_, config.remesh_vertices[i],
                                            stream_rng(config.data_seed, kStreamRemesh, i)()));
  }
  const int64_t E = ict_.num_expressions();
  const size_t n = ict_.neutral.size();
  for (int64_t e = 0; e < E; ++e) {
    canonical_basis_.emplace_back(ict_.expression_deltas.begin() + e * n, ict_.expression_deltas.begin() + (e + 1) * n);
    for (float& x : canonical_basis_.back()) x *= kIctToCanonicalScale;
  }
  for (const Topology& t : topologies_) {
    TopologyData d;
    std::vector<float> basis;
    for (const std::vector<float>& shape : canonical_basis_) {
      std::vector<float> moved = t.transfer(shape, 3);
      basis.insert(basis.end(), moved.begin(), moved.end());
    }
    d.basis = Tensor::from_vector({E, t.num_vertices * 3}, basis, device_);
    d.one_hot = one_hot(t.labels, config.model.segments, device_);
    topology_data_.push_back(d);
  }

  identities_ = make_identity_splits(config.data_seed, 100, 1, 10, int(ict_.num_identities()));
  for (const std::string& folder : config.user_data) {
    say("user data " + folder);
    user_data_.push_back(load_user_sequence(folder, ict_, int(config.model.eigenpairs), device_));
  }
  const int total = config.train_identities * int(topologies_.size());
  for (int i = 0; i < config.train_identities; ++i)
    for (int t = 0; t < int(topologies_.size()); ++t) {
      say("operators " + std::to_string(i * int(topologies_.size()) + t + 1) + "/" + std::to_string(total) +
          " (identity " + std::to_string(i) + ", " + topologies_[t].name + ")");
      prepared(i, t);
    }

  net_ = std::make_unique<NfsNetwork>(config.model);
  net_->to(device_);
  net_->train(true);
  adam_ = std::make_unique<Adam>(net_->named_parameters(), AdamHyper{config.lr});
}

void Trainer::warm_start(const std::function<void(const std::string&)>& progress) {
  if (config_.init_from.empty()) return;
  const std::vector<std::string> fresh = copy_matching_parameters(*net_, config_.init_from);
  std::set<std::string> modules;  // by top-level module: a resized encoder is one entry
  for (const std::string& n : fresh) modules.insert(n.substr(0, n.find('.')));
  std::string names;
  for (const std::string& m : modules) names += (names.empty() ? "" : ", ") + m;
  if (progress)
    progress("warm start from " + config_.init_from + ": " +
             std::to_string(net_->named_parameters().size() - fresh.size()) + " tensors copied, " +
             std::to_string(fresh.size()) + " fresh" + (fresh.empty() ? "" : " (" + names + ")"));
}

std::vector<float> Trainer::ict_shape(const std::vector<float>& w_id, const std::vector<float>& w_exp) const {
  std::vector<float> p = ict_.shape(w_id, w_exp);
  ict_.to_canonical(p);
  return p;
}

const PreparedMesh& Trainer::prepared(int identity, int topology) {
  auto key = std::make_pair(identity, topology);
  auto it = meshes_.find(key);
  if (it != meshes_.end()) return it->second;
  const Topology& t = topologies_[topology];
  std::vector<float> neutral = t.transfer(ict_shape(identities_.train[identity], {}), 3);
  return meshes_.emplace(key, prepare_mesh(t, std::move(neutral), int(config_.model.eigenpairs), device_)).first->second;
}

float Trainer::current_lr() const {
  if (config_.lr_decay_every <= 0) return config_.lr;
  return config_.lr * std::pow(config_.lr_decay, float(step_ / config_.lr_decay_every));
}

StepLosses Trainer::finish_step(Var total, StepLosses l) {
  adam_->zero_grad();
  total.backward();
  adam_->hyper().lr = current_lr();
  adam_->step();
  ++step_;
  l.total = total.value().item();
  if (!std::isfinite(l.total))
    throw std::runtime_error("training diverged at step " + std::to_string(step_) + " (loss is not finite); lower --lr");
  return l;
}

StepLosses Trainer::user_step(std::mt19937_64& rng) {
  const UserSequence& seq = *user_data_[rng() % user_data_.size()];
  const int B = config_.batch;
  std::vector<float> flat;
  for (int k = 0; k < B; ++k) {
    const auto& f = seq.frames[rng() % seq.frames.size()];
    flat.insert(flat.end(), f.begin(), f.end());
  }
  const RasterCamera& cam = net_->config.camera;
  const PreparedMesh& mesh = seq.neutral;
  FrameBatch src = make_frames(flat, B, mesh, cam, device_);
  FrameBatch tgt = make_frames(mesh.neutral, 1, mesh, cam, device_);
  RetargetOutputs out = retarget_forward(*net_, src, mesh, tgt, mesh, uint64_t(step_));
  const int64_t F = mesh.topology->F.rows();
  Var pred = add(Var(tgt.positions), out.delta);
  Tensor gt_normals, gt_jacobian;
  {
    NoGradGuard no_grad;
    gt_normals = src.normals;
    gt_jacobian = spmm(mesh.jacobian, Var(src.positions)).value().reshape({B, F, 9});
  }
  const LossWeights& lw = config_.loss_weights;
  StepLosses l;
  Var loss_v = mean_squared_distance(pred, Var(src.positions));
  Var loss_n = mean_squared_distance(vertex_normals(pred, mesh.faces), Var(gt_normals));
  Var loss_g = mean_squared_distance(reshape(spmm(mesh.jacobian, pred), {B, F, 9}), Var(gt_jacobian));
  // No FACS labels: only the codes' range (L_reg, eq. 5) supervises the encoders.
  Var loss_reg = add(code_range_loss(out.z_ge), code_range_loss(out.z_id));
  Var total = add(add(add(scale(loss_v, lw.vertex), scale(loss_n, lw.normal)), scale(loss_g, lw.jacobian)), loss_reg);
  l.vertex = loss_v.value().item();
  l.normal = loss_n.value().item();
  l.jacobian = loss_g.value().item();
  l.range = loss_reg.value().item();
  return finish_step(total, l);
}

StepLosses Trainer::step() {
  std::mt19937_64 rng = stream_rng(config_.data_seed, kStreamSteps, uint64_t(step_));
  if (!user_data_.empty() && std::uniform_real_distribution<float>(0.0f, 1.0f)(rng) < config_.user_data_ratio)
    return user_step(rng);
  const int T = int(topologies_.size()), B = config_.batch, E = int(ict_.num_expressions());
  const int a = int(rng() % config_.train_identities), b = int(rng() % config_.train_identities);
  const int ts = int(rng() % T), tt = int(rng() % T);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const float s_src = 1.0f + config_.augment_scale * u(rng), s_tgt = 1.0f + config_.augment_scale * u(rng);
  float o_src[3], o_tgt[3];
  for (float& o : o_src) o = config_.augment_offset * u(rng);
  for (float& o : o_tgt) o = config_.augment_offset * u(rng);
  std::vector<std::vector<float>> weights(B);
  std::vector<float> w_flat, src_flat, gt_flat;
  for (auto& w : weights) {
    w = sample_expression(rng, config_.mix, E);
    w_flat.insert(w_flat.end(), w.begin(), w.end());
    std::vector<float> src = topologies_[ts].transfer(ict_shape(identities_.train[a], w), 3);
    std::vector<float> gt = topologies_[tt].transfer(ict_shape(identities_.train[b], w), 3);
    add_similarity(src, s_src, o_src);
    add_similarity(gt, s_tgt, o_tgt);
    src_flat.insert(src_flat.end(), src.begin(), src.end());
    gt_flat.insert(gt_flat.end(), gt.begin(), gt.end());
  }
  PreparedMesh src_mesh = scaled_mesh(prepared(a, ts), s_src);
  PreparedMesh tgt_mesh = scaled_mesh(prepared(b, tt), s_tgt);
  // Both neutrals get their frames' similarity (the source's is read by exp_neutral_offsets).
  for (size_t i = 0; i < src_mesh.neutral.size(); ++i) src_mesh.neutral[i] += o_src[i % 3];
  for (size_t i = 0; i < tgt_mesh.neutral.size(); ++i) tgt_mesh.neutral[i] += o_tgt[i % 3];
  const RasterCamera& cam = net_->config.camera;
  FrameBatch src = make_frames(src_flat, B, src_mesh, cam, device_);
  FrameBatch tgt = make_frames(tgt_mesh.neutral, 1, tgt_mesh, cam, device_);

  const LossWeights& lw = config_.loss_weights;
  const bool true_code = step_ < config_.true_code_steps;  // decoder on [w, 0] (the warm-up)
  const bool decoded = lw.vertex != 0.0f || lw.normal != 0.0f || lw.jacobian != 0.0f;
  RetargetOutputs out = retarget_forward(*net_, src, src_mesh, tgt, tgt_mesh, uint64_t(step_), !true_code && decoded);
  const int64_t Vt = tgt_mesh.topology->num_vertices, F = tgt_mesh.topology->F.rows();
  Tensor gt = Tensor::from_vector({B, Vt, 3}, gt_flat, device_);
  Tensor w = Tensor::from_vector({B, E}, w_flat, device_);
  Tensor w_id = Tensor::from_vector({1, int64_t(identities_.train[b].size())}, identities_.train[b], device_);
  Tensor basis;
  {
    NoGradGuard no_grad;
    basis = scale(Var(topology_data_[tt].basis), s_tgt).value();
  }

  // Decoder: on the encoder's code, or on the true code [w, 0] during the warm-up.
  std::vector<float> padded;
  for (const auto& wk : weights) {
    padded.insert(padded.end(), wk.begin(), wk.end());
    padded.resize(padded.size() + size_t(net_->config.code_dim) - wk.size(), 0.0f);
  }
  Var code_true(Tensor::from_vector({B, net_->config.code_dim}, padded, device_));
  Var delta = !decoded ? Var() : true_code ? net_->decode(out.target_term, out.omega, code_true) : out.delta;
  Var pred = decoded ? add(Var(tgt.positions), delta) : Var();

  StepLosses l;
  Var total;
  auto term = [&](float weight, const std::function<Var()>& loss, double& logged) {
    if (weight == 0.0f) return;  // skipped: no forward, no backward
    Var v = loss();
    logged = v.value().item();
    Var weighted = weight == 1.0f ? v : scale(v, weight);
    total = total.defined() ? add(total, weighted) : weighted;
  };
  term(lw.vertex, [&] { return mean_squared_distance(pred, Var(gt)); }, l.vertex);
  term(lw.normal, [&] {
    Tensor gt_normals;
    {
      NoGradGuard no_grad;
      gt_normals = vertex_normals(Var(gt), tgt_mesh.faces).value();
    }
    return mean_squared_distance(vertex_normals(pred, tgt_mesh.faces), Var(gt_normals));
  }, l.normal);
  term(lw.jacobian, [&] {
    Tensor gt_jacobian;
    {
      NoGradGuard no_grad;
      gt_jacobian = spmm(tgt_mesh.jacobian, Var(gt)).value().reshape({B, F, 9});
    }
    return mean_squared_distance(reshape(spmm(tgt_mesh.jacobian, pred), {B, F, 9}), Var(gt_jacobian));
  }, l.jacobian);
  term(lw.identity, [&] { return code_loss(out.z_id, w_id, config_.code_loss_mean); }, l.identity);
  term(lw.expression, [&] { return code_loss(out.z_ge, w, config_.code_loss_mean); }, l.expression);
  term(lw.projection, [&] { return blendshape_projection_loss(out.z_ge, w, basis); }, l.projection);
  if (!true_code)
    term(lw.reconstruction, [&] {
      return blendshape_reconstruction_loss(out.z_ge, basis, net_->decode(out.target_term, out.omega, out.z_ge.detach()));
    }, l.reconstruction);
  if (config_.use_weights_loss) {
    // L_BW: decoding the true code [w, 0] must give the blendshape displacement w·B. At the
    // optimum of L_Exp, L_BP and L_BR the code is [w, 0] and this holds; asking it directly
    // teaches the decoder the code's meaning from the first step (animate and rig decode such codes).
    term(lw.weights, [&] {
      Var d = true_code && decoded ? delta : net_->decode(out.target_term, out.omega, code_true);
      return config_.weights_loss_relative_floor > 0.0f && step_ >= config_.weights_loss_relative_from
                 ? relative_reconstruction_loss(code_true, basis, d, config_.weights_loss_relative_floor)
                 : blendshape_reconstruction_loss(code_true, basis, d);
    }, l.weights);
  }
  if (net_->config.skinning && config_.use_skin_loss)
    term(lw.skin, [&] { return skinning_nll_loss(out.z_skin, topology_data_[tt].one_hot); }, l.skin);
  if (!total.defined()) throw std::runtime_error("training: every loss weight is 0");
  return finish_step(total, l);
}

void Trainer::prepare_validation() {
  if (validation_mesh_) return;
  validation_topology_ = std::make_unique<Topology>(ict_topology(ict_, labels_));
  validation_mesh_ = std::make_unique<PreparedMesh>(prepare_mesh(
      *validation_topology_, ict_shape(identities_.validation[0], {}), int(config_.model.eigenpairs), device_));
}

std::vector<std::vector<float>> Trainer::validation_weights() const {
  std::vector<std::vector<float>> weights;
  for (int i = 0; i < config_.validation_expressions; ++i) {
    std::mt19937_64 rng = stream_rng(config_.data_seed, kStreamValidation, uint64_t(i));
    // The default mixture, whatever the run trains on, so that runs compare.
    weights.push_back(sample_expression(rng, ExpressionMix{}, int(ict_.num_expressions())));
  }
  return weights;
}

QualityMetrics Trainer::validate() {
  // Self-retargeting of the validation identity on the ICT triangulation (SPEC §7).
  prepare_validation();
  std::vector<std::vector<float>> sources;
  for (const auto& w : validation_weights()) sources.push_back(ict_shape(identities_.validation[0], w));
  return measure_retarget(*net_, *validation_mesh_, sources, *validation_mesh_, sources, labels_,
                          int(config_.model.segments), config_.batch, device_);
}

ComponentMetrics Trainer::validate_components() {
  prepare_validation();
  const std::vector<std::vector<float>> weights = validation_weights();
  std::vector<std::vector<float>> sources;
  for (const auto& w : weights) sources.push_back(ict_shape(identities_.validation[0], w));
  ComponentMetrics m;
  const auto z = expression_codes(*net_, *validation_mesh_, sources, config_.batch, device_);
  const int64_t E = ict_.num_expressions();
  m.exp_r2 = r_squared(z, weights, E);
  m.exp_tail = tail_norm(z, E);
  const TargetDiagnostics t = diagnose_target(*net_, *validation_mesh_, device_);
  const auto& w_id = identities_.validation[0];
  m.id_vertex = vertex_space_error({t.z_id}, {w_id}, ict_.identity_deltas, int64_t(w_id.size()));
  if (!t.z_skin.empty()) m.skin_accuracy = label_accuracy(t.z_skin, labels_, config_.model.segments);
  const RigError rig = rig_error(t.rig, canonical_basis_);
  m.rig_error = rig.overall;
  m.rig_error_shape_mean = rig.shape_mean;
  return m;
}

void Trainer::save(const std::string& dir) const {
  save_checkpoint(dir + "/model.safetensors", *net_,
                  {{"training_steps", std::to_string(step_)},
                   {"data_seed", std::to_string(config_.data_seed)},
                   {"train_config", config_.to_json()}});
  std::map<std::string, Tensor> state = adam_->state();
  write_safetensors(dir + "/model.optimizer.safetensors", state, {{"optimizer", "adam"}});
  nlohmann::json j = {{"step", step_}};
  write_file_atomic(dir + "/train_state.json", j.dump());
}

void Trainer::load_state(const std::string& dir) {
  LoadedCheckpoint ck = load_checkpoint(dir + "/model.safetensors", device_);
  if (ck.network->config.to_json() != net_->config.to_json())
    throw std::runtime_error(dir + "/model.safetensors: its configuration differs from this run's");
  std::map<std::string, Tensor> tensors;
  for (const auto& [name, p] : ck.network->named_parameters()) tensors[name] = p.value();
  load_parameters(*net_, tensors, dir + "/model.safetensors");
  SafetensorsFile opt = read_safetensors(dir + "/model.optimizer.safetensors");
  adam_->load_state(opt.tensors, opt.path);
  std::ifstream f(dir + "/train_state.json");
  if (!f) throw std::runtime_error(dir + "/train_state.json: missing");
  std::stringstream ss;
  ss << f.rdbuf();
  step_ = nlohmann::json::parse(ss.str()).at("step").get<int64_t>();
  if (adam_->steps() != step_)
    throw std::runtime_error(dir + ": optimizer state is at step " + std::to_string(adam_->steps()) +
                             ", the run at " + std::to_string(step_));
}

}  // namespace nfs
