// nfs_tools encoder-probe: is the expression information in a trained encoder's output, only not
// yet lined up with the 53 weights, or is it not there? It encodes frames of the 10 test
// identities on the ICT topology and fits a ridge regression from the whole code z_GE (and, for
// comparison, from the image code c alone) to the weights on half of the frames, then reports R²
// on the other half beside the R² of z_GE[0:53] read directly. A probe far above the direct R²
// means the last layers have not caught up (an optimization limit); a probe at the same level
// means the encoder does not extract it.
#include <Eigen/Dense>
#include <cstdio>
#include <string>

#include "infer/cli.h"
#include "nn/checkpoint.h"
#include "nn/ops.h"
#include "tools/commands.h"
#include "train/diagnostics.h"
#include "train/topology.h"
#include "train/trainer.h"

namespace nfs {

namespace {

using Rows = std::vector<std::vector<float>>;

// Ridge regression rows x -> y fitted on the even rows, predictions for the odd rows.
Rows probe(const Rows& x, const Rows& y, double ridge) {
  const int64_t D = int64_t(x[0].size()) + 1, E = int64_t(y[0].size());
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(D, D), b = Eigen::MatrixXd::Zero(D, E);
  auto features = [&](size_t r) {
    Eigen::VectorXd f(D);
    for (int64_t d = 0; d + 1 < D; ++d) f[d] = x[r][d];
    f[D - 1] = 1.0;
    return f;
  };
  for (size_t r = 0; r < x.size(); r += 2) {
    const Eigen::VectorXd f = features(r);
    A += f * f.transpose();
    for (int64_t e = 0; e < E; ++e) b.col(e) += f * y[r][e];
  }
  A.diagonal().array() += ridge * A.diagonal().mean();
  const Eigen::MatrixXd coef = A.ldlt().solve(b);
  Rows out;
  for (size_t r = 1; r < x.size(); r += 2) {
    const Eigen::VectorXd p = coef.transpose() * features(r);
    out.emplace_back(p.data(), p.data() + E);
  }
  return out;
}

Rows odd_rows(const Rows& x) {
  Rows out;
  for (size_t r = 1; r < x.size(); r += 2) out.push_back(x[r]);
  return out;
}

}  // namespace

int cmd_encoder_probe(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"--frames", "--ridge", "--ict-model"}, {"--help"});
  if (args.has("--help") || args.positional().empty()) {
    std::printf(
        "usage: nfs_tools encoder-probe MODEL.safetensors [--frames 1200] [--ridge 1e-3] [--ict-model M]\n"
        "  R² of the 53 weights on held-out frames (10 test identities, ICT topology, the default mix):\n"
        "  z_GE[0:53] read directly, a ridge regression from all of z_GE, and one from the image code.\n");
    return args.has("--help") ? 0 : 2;
  }
  const int frames = args.get_int("--frames", 1200);
  const double ridge = args.get_double("--ridge", 1e-3);
  LoadedCheckpoint ck = load_checkpoint(args.positional()[0]);
  NfsNetwork& net = *ck.network;
  net.train(false);
  TrainConfig cfg = cpu_small_config();
  cfg.train_identities = 1;
  cfg.remesh_vertices = {800};  // the trainer is here for the ICT model and labels only
  if (args.has("--ict-model")) cfg.ict_model = args.get("--ict-model");
  Trainer trainer(cfg);
  const IctModel& ict = trainer.ict();
  const int E = int(ict.num_expressions());
  const Topology topo = ict_topology(ict, trainer.segment_labels());
  const IdentitySplits ids = make_identity_splits(cfg.data_seed, 100, 1, 10, int(ict.num_identities()));
  const int N = int(ids.test.size());
  Rows z, c, w;
  std::vector<bool> dense;
  const NoGradGuard no_grad;
  for (int i = 0; i < N; ++i) {
    std::fprintf(stderr, "encoder-probe: test identity %d/%d\n", i + 1, N);
    const PreparedMesh mesh = prepare_mesh(topo, trainer.ict_shape(ids.test[i], {}), int(net.config.eigenpairs),
                                           Device::CPU);
    Rows sources, weights;
    for (int f = i; f < frames; f += N) {
      std::mt19937_64 rng = stream_rng(cfg.data_seed, 77, uint64_t(f));
      weights.push_back(sample_expression(rng, ExpressionMix{}, E));
      sources.push_back(trainer.ict_shape(ids.test[i], weights.back()));
    }
    const Rows zi = expression_codes(net, mesh, sources, cfg.batch, Device::CPU);
    for (size_t q = 0; q < sources.size(); ++q) {
      FrameBatch b = make_frames(sources[q], 1, mesh, net.config.camera, Device::CPU);
      c.push_back(net.image_code(Var(b.images)).value().to_vector());
      z.push_back(zi[q]);
      w.push_back(weights[q]);
      int on = 0;
      for (float x : weights[q]) on += x != 0.0f;
      dense.push_back(on > 6);
    }
  }
  const Rows w_test = odd_rows(w), z_test = odd_rows(z);
  const Rows from_z = probe(z, w, ridge), from_c = probe(c, w, ridge);
  auto within = [&](const Rows& pred, bool want_dense) {
    Rows p, t;
    for (size_t r = 0; r < pred.size(); ++r)
      if (dense[2 * r + 1] == want_dense) p.push_back(pred[r]), t.push_back(w_test[r]);
    return p.size() > 1 ? r_squared(p, t, E) : 0.0;
  };
  std::printf("readout,r2,r2_dense,r2_sparse\n");
  for (auto [name, pred] : std::vector<std::pair<const char*, const Rows*>>{
           {"z_ge[0:53] direct", &z_test}, {"ridge from z_ge", &from_z}, {"ridge from image code", &from_c}})
    std::printf("%s,%.3f,%.3f,%.3f\n", name, r_squared(*pred, w_test, E), within(*pred, true), within(*pred, false));
  return 0;
}

}  // namespace nfs
