// nfs_tools decoder-probe: how fast the decoder learns what a code means, with and without the
// skinning encoder's localization, isolated from the encoders. The decoder (and the skinning
// MLP) is trained alone on one fixed re-meshed target with the true codes [w, 0] against w·B;
// z_Skin is the one-hot segment labels (what L_nll trains the skinning encoder to output).
// A few minutes on the CPU; the same seeds for both variants, so the curves compare directly.
#include <cstdio>
#include <string>

#include "geometry/plot.h"
#include "infer/cli.h"
#include "nn/adam.h"
#include "nn/ops.h"
#include "tools/commands.h"
#include "train/losses.h"
#include "train/trainer.h"

namespace nfs {

namespace {

// Mean of loss / baseline (Δv = 0) over every `report` steps, for one variant.
std::vector<double> probe(bool skinning, int steps, int report, int vertices, const std::string& ict_path) {
  TrainConfig cfg = cpu_small_config();
  cfg.model.skinning = skinning;
  cfg.model.exp_segment_pool = skinning;  // pooled per segment of the skinning encoder
  cfg.train_identities = 1;
  cfg.remesh_vertices = {vertices};
  if (!ict_path.empty()) cfg.ict_model = ict_path;
  Trainer trainer(cfg);
  NfsNetwork& net = trainer.network();
  const Topology& topo = trainer.topologies()[0];
  const int64_t V = topo.num_vertices, L = cfg.model.segments, C = cfg.model.code_dim, E = 53;
  PreparedMesh mesh = prepare_mesh(topo, topo.transfer(trainer.ict_shape({}, {}), 3), int(cfg.model.eigenpairs),
                                   Device::CPU);
  FrameBatch target = make_frames(mesh.neutral, 1, mesh, net.config.camera, Device::CPU);
  Var target_term;
  {
    NoGradGuard no_grad;
    net.train(false);
    Var c = net.image_code(Var(target.images));
    Var z_id = net.identity_code(net.vertex_features(target.positions, target.normals, c), mesh.ops, 0);
    target_term = Var(net.decoder_target_term(target.positions, target.normals, c, z_id).value());
  }
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
  std::vector<double> curve;
  double loss_sum = 0.0, base_sum = 0.0;
  for (int step = 1; step <= steps; ++step) {
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
    Var delta = net.decode(target_term, omega, Var(Tensor::from_vector({B, C}, code)));
    Var loss = mean_squared_distance(add(Var(target.positions), delta), Var(Tensor::from_vector({B, V, 3}, truth)));
    adam.zero_grad();
    loss.backward();
    adam.step();
    double base = 0.0;
    for (int b = 0; b < B; ++b)
      for (int64_t k = 0; k < V * 3; ++k) base += std::pow(double(truth[b * V * 3 + k]) - mesh.neutral[k], 2);
    loss_sum += loss.value().item();
    base_sum += base / double(B * V);
    if (step % report == 0) {
      curve.push_back(loss_sum / base_sum);
      std::fprintf(stderr, "%s step %d: MSE / baseline %.3f\n", skinning ? "skinning" : "no skinning", step,
                   curve.back());
      loss_sum = base_sum = 0.0;
    }
  }
  return curve;
}

}  // namespace

int cmd_decoder_probe(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"--steps", "--vertices", "--plot", "--ict-model"}, {"--help"});
  if (args.has("--help")) {
    std::printf(
        "usage: nfs_tools decoder-probe [--steps 1500] [--vertices 2500] [--plot OUT.png] [--ict-model M]\n"
        "  Trains the cpu-small decoder alone on true codes [w, 0] -> w·B on one re-meshed target, with\n"
        "  the skinning MLP fed the one-hot segments and without skinning (the ablation), and prints\n"
        "  the vertex MSE over the Δv = 0 baseline every 100 steps for both.\n");
    return 0;
  }
  const int steps = args.get_int("--steps", 1500), vertices = args.get_int("--vertices", 2500), report = 100;
  const std::string ict = args.get("--ict-model", "");
  std::vector<PlotSeries> series(2);
  series[0].name = "skinning";
  series[1].name = "no skinning";
  for (int k = 0; k < 2; ++k) {
    std::vector<double> curve = probe(k == 0, steps, report, vertices, ict);
    for (size_t i = 0; i < curve.size(); ++i) {
      series[k].x.push_back(double((i + 1) * report));
      series[k].y.push_back(curve[i]);
    }
  }
  std::printf("step,with_skinning,without_skinning\n");
  for (size_t i = 0; i < series[0].x.size(); ++i)
    std::printf("%d,%.4f,%.4f\n", int(series[0].x[i]), series[0].y[i], series[1].y[i]);
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
