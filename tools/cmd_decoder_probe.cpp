// nfs_tools decoder-probe: how fast the decoder learns what a code means, with and without the
// skinning encoder's localization, isolated from the encoders. The decoder (and the skinning
// MLP) is trained alone on one fixed re-meshed target with the true codes [w, 0] against w·B;
// z_Skin is the one-hot segment labels (what L_nll trains the skinning encoder to output).
// A few minutes on the CPU; the same seeds for both variants, so the curves compare directly.
#include <algorithm>
#include <cstdio>
#include <string>

#include "geometry/plot.h"
#include "infer/cli.h"
#include "nn/adam.h"
#include "nn/ops.h"
#include "tools/commands.h"
#include "train/diagnostics.h"
#include "train/losses.h"
#include "train/trainer.h"

namespace nfs {

namespace {

struct ProbeOptions {
  int steps = 1500, report = 100, vertices = 2500;
  int64_t segments = 20;
  float position_weight = 1.0f;  // of the segmentation
  float relative_floor = 0.0f;   // > 0: the loss is the trainer's relative L_BW with this floor
  bool recipe_loss = false;      // the trainer's mix: L_v's weight × vertex MSE + L_BW (relative)
  int64_t decoder_hidden = 0;    // 0: the cpu-small decoder's width and depth
  int decoder_layers = 0;
  std::string ict_path;
};

struct ProbeResult {
  std::vector<double> curve;  // vertex MSE / (Δv = 0) MSE, mean over every `report` steps
  RigError rig;               // D(e_k) − D(0) against the shapes, on the probe's target
  std::vector<std::string> shape_names;
};

ProbeResult probe(bool skinning, const ProbeOptions& o) {
  const int steps = o.steps, report = o.report, vertices = o.vertices;
  TrainConfig cfg = cpu_small_config();
  cfg.model.segments = o.segments;
  cfg.segment_position_weight = o.position_weight;
  cfg.model.skinning = skinning;
  cfg.model.exp_segment_pool = skinning;  // pooled per segment of the skinning encoder
  if (o.decoder_hidden > 0) {
    cfg.model.decoder_hidden = o.decoder_hidden;
    cfg.model.decoder_groups =
        int(std::max<int64_t>(1, o.decoder_hidden / 8));  // 8 channels a group
  }
  if (o.decoder_layers > 0) cfg.model.decoder_hidden_layers = o.decoder_layers;
  cfg.train_identities = 1;
  cfg.remesh_vertices = {vertices};
  if (!o.ict_path.empty()) cfg.ict_model = o.ict_path;
  Trainer trainer(cfg);
  NfsNetwork& net = trainer.network();
  const Topology& topo = trainer.topologies()[0];
  const int64_t V = topo.num_vertices, L = cfg.model.segments, C = cfg.model.code_dim, E = 53;
  PreparedMesh mesh = prepare_mesh(topo, topo.transfer(trainer.ict_shape({}, {}), 3), int(cfg.model.eigenpairs),
                                   Device::CPU);
  FrameBatch target = make_frames(mesh.neutral, 1, mesh, net.config.camera, Device::CPU);
  // The target's codes are constants (the encoders are not trained here); its term, the first
  // layer's position and normal weights, trains with the decoder as it does in the trainer.
  Var c, z_id;
  {
    NoGradGuard no_grad;
    net.train(false);
    c = Var(net.image_code(Var(target.images)).value());
    z_id =
        Var(net.identity_code(net.vertex_features(target.positions, target.normals, c), mesh.ops, 0)
                .value());
  }
  auto target_term = [&] {
    return net.decoder_target_term(target.positions, target.normals, c, z_id);
  };
  // [E, V·3] the shapes on the probe's target: the relative loss's sizes and the rig's truth.
  std::vector<float> basis_rows;
  for (const std::vector<float>& b : trainer.canonical_basis()) {
    const std::vector<float> row = topo.transfer(b, 3);
    basis_rows.insert(basis_rows.end(), row.begin(), row.end());
  }
  const Tensor basis = Tensor::from_vector({E, V * 3}, basis_rows);
  std::vector<float> one_hot(size_t(V * L), 0.0f);
  for (int64_t v = 0; v < V; ++v) one_hot[size_t(v * L + topo.labels[v])] = 1.0f;
  const Tensor z_skin = Tensor::from_vector({1, V, L}, one_hot);
  std::vector<std::pair<std::string, Var>> params;
  for (const auto& [name, p] : net.named_parameters())
    if (name.rfind("decoder", 0) == 0 || name.rfind("skinning.mlp", 0) == 0) params.push_back({name, p});
  AdamHyper hyper;
  hyper.lr = cfg.lr;
  Adam adam(params, hyper);
  const int B = cfg.batch;
  ProbeResult result;
  std::vector<double>& curve = result.curve;
  double loss_sum = 0.0, base_sum = 0.0;
  for (int step = 1; step <= steps; ++step) {
    // The recipe's rate, halved at half and again at three quarters of the run, so that the
    // last rig is read off a settled decoder rather than wherever a spike at 1e-3 left it.
    adam.hyper().lr = cfg.lr * (step > steps * 3 / 4 ? 0.25f : step > steps / 2 ? 0.5f : 1.0f);
    std::mt19937_64 rng = stream_rng(cfg.data_seed, 99, uint64_t(step));
    std::vector<float> code, truth;
    for (int b = 0; b < B; ++b) {
      std::vector<float> w = sample_expression(rng, cfg.mix, int(E));
      std::vector<float> p = topo.transfer(trainer.ict_shape({}, w), 3);
      truth.insert(truth.end(), p.begin(), p.end());
      code.insert(code.end(), w.begin(), w.end());
      code.resize(code.size() + size_t(C - E), 0.0f);
    }
    Var omega = skinning ? net.skinning_omega(Var(z_skin)) : Var();
    Var code_var(Tensor::from_vector({B, C}, code));
    Var delta = net.decode(target_term(), omega, code_var);
    Var mse = mean_squared_distance(add(Var(target.positions), delta),
                                    Var(Tensor::from_vector({B, V, 3}, truth)));
    Var loss = mse;
    if (o.relative_floor > 0.0f) {
      Var relative = relative_reconstruction_loss(code_var, basis, delta, o.relative_floor);
      loss = o.recipe_loss ? add(scale(mse, cfg.loss_weights.vertex), relative) : relative;
    }
    adam.zero_grad();
    loss.backward();
    adam.step();
    double base = 0.0;
    for (int b = 0; b < B; ++b)
      for (int64_t k = 0; k < V * 3; ++k) base += std::pow(double(truth[b * V * 3 + k]) - mesh.neutral[k], 2);
    loss_sum += mse.value().item();  // the curve is the vertex MSE whatever the loss
    base_sum += base / double(B * V);
    if (step % report == 0) {
      curve.push_back(loss_sum / base_sum);
      std::fprintf(stderr, "%s step %d: MSE / baseline %.3f\n", skinning ? "skinning" : "no skinning", step,
                   curve.back());
      loss_sum = base_sum = 0.0;
    }
  }
  // The rig of the trained decoder: each shape at weight 1, minus the decoded neutral.
  NoGradGuard no_grad;
  Var omega = skinning ? net.skinning_omega(Var(z_skin)) : Var();
  const std::vector<std::vector<float>> predicted = decode_rig(net, target_term(), omega);
  std::vector<std::vector<float>> truth;
  for (int64_t e = 0; e < E; ++e)
    truth.emplace_back(basis_rows.begin() + e * V * 3, basis_rows.begin() + (e + 1) * V * 3);
  result.rig = rig_error(predicted, truth);
  result.shape_names = trainer.ict().expression_names;
  return result;
}

}  // namespace

int cmd_decoder_probe(int argc, char** argv) {
  CliArgs args(argc, argv, 2,
               {"--steps", "--vertices", "--plot", "--ict-model", "--segments", "--position-weight",
                "--relative-floor", "--decoder-hidden", "--decoder-layers"},
               {"--help", "--skinning-only", "--recipe-loss"});
  if (args.has("--help")) {
    // clang-format off
    std::printf(
        "usage: nfs_tools decoder-probe [--steps 1500] [--vertices 2500] [--plot OUT.png] [--ict-model M]\n"
        "                               [--segments 20] [--position-weight 1] [--relative-floor F]\n"
        "                               [--skinning-only] [--recipe-loss]\n"
        "                               [--decoder-hidden 64] [--decoder-layers 4]\n"
        "  Trains the cpu-small decoder alone on true codes [w, 0] -> w·B on one re-meshed target\n"
        "  (the recipe's rate, halved at half and at three quarters of the steps),\n"
        "  with the skinning MLP fed the one-hot segments and without skinning (the ablation), and\n"
        "  prints the vertex MSE over the Δv = 0 baseline every 100 steps for both, then the trained\n"
        "  rig's error per shape on that target. --segments / --position-weight choose the\n"
        "  segmentation; --relative-floor F trains on the recipe's relative L_BW (each sample's\n"
        "  error over its mean squared displacement + F) instead of the vertex MSE; with\n"
        "  --recipe-loss, added to L_v's weight (10) x the vertex MSE, as the trainer does.\n"
        "  --decoder-hidden / --decoder-layers change the decoder's width (8 channels a group)\n"
        "  and depth: the cpu-small preset's 64 x 4, the paper's 256 x 7.\n");
    // clang-format on
    return 0;
  }
  ProbeOptions o;
  o.steps = args.get_int("--steps", o.steps);
  o.vertices = args.get_int("--vertices", o.vertices);
  o.segments = args.get_int("--segments", int(o.segments));
  o.position_weight = float(args.get_double("--position-weight", o.position_weight));
  o.relative_floor = float(args.get_double("--relative-floor", o.relative_floor));
  o.recipe_loss = args.has("--recipe-loss");
  o.decoder_hidden = args.get_int("--decoder-hidden", 0);
  o.decoder_layers = args.get_int("--decoder-layers", 0);
  if (o.recipe_loss && o.relative_floor <= 0.0f)
    o.relative_floor = cpu_small_config().weights_loss_relative_floor;
  o.ict_path = args.get("--ict-model", "");
  const int variants = args.has("--skinning-only") ? 1 : 2;
  std::vector<PlotSeries> series(variants);
  std::vector<ProbeResult> results;
  for (int k = 0; k < variants; ++k) {
    series[k].name = k == 0 ? "skinning" : "no skinning";
    results.push_back(probe(k == 0, o));
    for (size_t i = 0; i < results[k].curve.size(); ++i) {
      series[k].x.push_back(double((i + 1) * o.report));
      series[k].y.push_back(results[k].curve[i]);
    }
  }
  std::printf(variants == 2 ? "step,with_skinning,without_skinning\n" : "step,with_skinning\n");
  for (size_t i = 0; i < series[0].x.size(); ++i) {
    std::printf("%d,%.4f", int(series[0].x[i]), series[0].y[i]);
    if (variants == 2) std::printf(",%.4f", series[1].y[i]);
    std::printf("\n");
  }
  std::printf("\nshape,rig_error_with_skinning%s\n",
              variants == 2 ? ",rig_error_without_skinning" : "");
  for (size_t e = 0; e < results[0].shape_names.size(); ++e) {
    std::printf("%s,%.3f", results[0].shape_names[e].c_str(), results[0].rig.per_shape[e]);
    if (variants == 2) std::printf(",%.3f", results[1].rig.per_shape[e]);
    std::printf("\n");
  }
  std::printf("overall,%.3f", results[0].rig.overall);
  if (variants == 2) std::printf(",%.3f", results[1].rig.overall);
  std::printf("\nmean of the shapes,%.3f", results[0].rig.shape_mean);
  if (variants == 2) std::printf(",%.3f", results[1].rig.shape_mean);
  std::printf("\nmean of the 14 eye shapes,%.3f",
              shape_mean_with_prefix(results[0].rig, results[0].shape_names, "eye"));
  if (variants == 2)
    std::printf(",%.3f", shape_mean_with_prefix(results[1].rig, results[1].shape_names, "eye"));
  std::printf("\n");
  if (args.has("--plot")) {
    PlotOptions o;
    o.title = "decoder alone on true codes: vertex MSE / (delta v = 0) MSE";
    o.x_label = "step";
    o.y_label = "MSE ratio";
    o.log_y = true;
    write_line_plot(args.get("--plot"), series, o);
  }
  return 0;
}

}  // namespace nfs
