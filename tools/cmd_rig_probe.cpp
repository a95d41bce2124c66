// nfs_tools rig-probe: where a trained decoder's rig is weak, split by what the target is. The
// rig (each shape decoded at weight 1, minus the decoded neutral) is measured against the ICT
// shapes on identities the model trained on and on the 10 test identities, each on the
// training run's first re-mesh, on an unseen re-mesh of the same size and on the ICT
// triangulation (unseen, and denser at the lids). A weak shape that is weak on trained
// identities and topologies too is a capacity or loss limit; one that is weak only on new
// identities or topologies is a generalization limit.
#include <algorithm>
#include <cmath>
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

struct Row {
  std::string identities, topology;
  RigError rig;         // with the skinning encoder's z_Skin, as inference runs
  RigError rig_labels;  // with the one-hot segment labels as z_Skin (what L_nll aims at)
  double skin_accuracy = 0.0;
};

// The rig with ω from the given z_Skin [1, V, L].
std::vector<std::vector<float>> rig_with(const NfsNetwork& net, const Var& target_term,
                                         const Tensor& z_skin) {
  return decode_rig(net, target_term, net.skinning_omega(Var(z_skin)));
}

void accumulate(RigError& sum, const RigError& r, int n) {
  if (sum.per_shape.empty())
    sum.per_shape.assign(r.per_shape.size(), 0.0), sum.overall = sum.shape_mean = 0.0;
  for (size_t e = 0; e < r.per_shape.size(); ++e) sum.per_shape[e] += r.per_shape[e] / n;
  sum.overall += r.overall / n;
  sum.shape_mean += r.shape_mean / n;
}

}  // namespace

int cmd_rig_probe(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"--identities", "--ict-model", "--remesh"}, {"--help"});
  if (args.has("--help") || args.positional().empty()) {
    // clang-format off
    std::printf(
        "usage: nfs_tools rig-probe MODEL.safetensors [--identities 4] [--remesh N] [--ict-model M]\n"
        "  The rig error (1 = no motion) of each of the 53 shapes, averaged over N trained and N\n"
        "  test identities, on the training run's first re-mesh, an unseen re-mesh of its size\n"
        "  (of about N vertices with --remesh) and the ICT triangulation; then a summary per (identities, topology): the skinning\n"
        "  encoder's segment accuracy and the rig's pooled error, mean of the shapes, mean of the\n"
        "  14 eye shapes, eyeBlink_L and jawOpen, decoded with the encoder's z_Skin and with the\n"
        "  one-hot segment labels in its place.\n");
    // clang-format on
    return args.has("--help") ? 0 : 2;
  }
  LoadedCheckpoint ck = load_checkpoint(args.positional()[0]);
  NfsNetwork& net = *ck.network;
  net.train(false);
  auto run_cfg = ck.metadata.find("train_config");
  TrainConfig cfg = run_cfg != ck.metadata.end()
                        ? TrainConfig::from_json(run_cfg->second, args.positional()[0])
                        : cpu_small_config();
  if (cfg.remesh_vertices.empty()) cfg.remesh_vertices = {2500};
  cfg.remesh_vertices.resize(1);  // the trainer builds the run's first re-mesh, with its seed
  cfg.train_identities = 1;
  cfg.user_data.clear();
  cfg.init_from.clear();
  if (args.has("--ict-model")) cfg.ict_model = args.get("--ict-model");
  const int n = args.get_int("--identities", 4);
  const int remesh = args.get_int("--remesh", cfg.remesh_vertices[0]);
  if (remesh < 100 || remesh > 200000)
    throw std::runtime_error("--remesh must be in [100, 200000]");
  if (n < 1 || n > 10) throw std::runtime_error("--identities must be in [1, 10]");
  Trainer trainer(cfg);
  const IctModel& ict = trainer.ict();
  const std::vector<std::string>& names = ict.expression_names;
  const IdentitySplits ids =
      make_identity_splits(cfg.data_seed, 100, 1, 10, int(ict.num_identities()));
  const std::vector<std::pair<std::string, Topology>> topologies = {
      {"training re-mesh", trainer.topologies()[0]},
      {"unseen re-mesh " + std::to_string(remesh),
       remeshed_topology(ict, trainer.segment_labels(), remesh, 0x5eed)},
      {"ICT mesh", ict_topology(ict, trainer.segment_labels())},
  };
  size_t eye_blink = 0;
  while (eye_blink + 1 < names.size() && names[eye_blink] != "eyeBlink_L") ++eye_blink;
  std::vector<Row> rows;
  const NoGradGuard no_grad;
  for (const auto& [set, pool] : {std::pair{"trained", &ids.train}, std::pair{"test", &ids.test}})
    for (const auto& [topo_name, topo] : topologies) {
      std::vector<std::vector<float>> basis;
      for (const std::vector<float>& b : trainer.canonical_basis())
        basis.push_back(topo.transfer(b, 3));
      Row row{set, topo_name, {}, {}, 0.0};
      const int64_t V = topo.num_vertices, L = net.config.segments;
      std::vector<float> one_hot(size_t(V * L), 0.0f);
      for (int64_t v = 0; v < V; ++v) one_hot[size_t(v * L + topo.labels[size_t(v)])] = 1.0f;
      const Tensor labels = Tensor::from_vector({1, V, L}, one_hot);
      for (int i = 0; i < n; ++i) {
        std::fprintf(stderr, "rig-probe: %s identity %d/%d, %s\n", set, i + 1, n,
                     topo_name.c_str());
        const PreparedMesh mesh =
            prepare_mesh(topo, topo.transfer(trainer.ict_shape((*pool)[size_t(i)], {}), 3),
                         int(net.config.eigenpairs), Device::CPU);
        // The target encoded once, as diagnose_target does; its term decodes both rigs.
        const FrameBatch frames =
            make_frames(mesh.neutral, 1, mesh, net.config.camera, Device::CPU);
        const TargetCodes t = encode_target(net, frames, mesh, 0);
        accumulate(row.rig, rig_error(decode_rig(net, t.target_term, t.omega), basis), n);
        if (!t.z_skin.defined()) continue;  // the ablation has no segments
        row.skin_accuracy += label_accuracy(t.z_skin.value().to_vector(), topo.labels, L) / n;
        accumulate(row.rig_labels, rig_error(rig_with(net, t.target_term, labels), basis), n);
      }
      rows.push_back(std::move(row));
    }
  // Which of the decoder's per-vertex inputs makes the dense ICT mesh worse than a re-mesh: on
  // the training re-mesh, decode with the ICT mesh's normals and z_Skin carried over (by the
  // re-mesh's barycentric map), one at a time and both. If both bring the re-mesh's error up to
  // the ICT mesh's, those inputs are the cause; if not, it is where the error is sampled.
  std::printf("swap,pooled,shape_mean,eyes_mean,eyeBlink_L\n");
  if (net.config.skinning) {
    const Topology& remeshed = topologies[0].second;
    const Topology& ict_mesh = topologies[2].second;
    RigError swapped[4];
    for (int i = 0; i < n; ++i) {
      std::fprintf(stderr, "rig-probe: swapped inputs, trained identity %d/%d\n", i + 1, n);
      const std::vector<float> neutral = trainer.ict_shape(ids.train[size_t(i)], {});
      const PreparedMesh fine =
          prepare_mesh(ict_mesh, neutral, int(net.config.eigenpairs), Device::CPU);
      const PreparedMesh coarse = prepare_mesh(remeshed, remeshed.transfer(neutral, 3),
                                               int(net.config.eigenpairs), Device::CPU);
      const FrameBatch ff = make_frames(fine.neutral, 1, fine, net.config.camera, Device::CPU);
      const FrameBatch cf = make_frames(coarse.neutral, 1, coarse, net.config.camera, Device::CPU);
      const TargetCodes fc = encode_target(net, ff, fine, 0),
                        cc = encode_target(net, cf, coarse, 0);
      const int64_t V = remeshed.num_vertices, L = net.config.segments;
      const Tensor skin_fine =
          Tensor::from_vector({1, V, L}, remeshed.transfer(fc.z_skin.value().to_vector(), int(L)));
      std::vector<float> n_fine = remeshed.transfer(ff.normals.to_vector(), 3);
      for (int64_t v = 0; v < V; ++v) {  // interpolated normals, renormalized
        float* q = &n_fine[size_t(v * 3)];
        const float len = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
        for (int d = 0; d < 3; ++d) q[d] /= std::max(len, 1e-12f);
      }
      const Tensor normals_fine = Tensor::from_vector({1, V, 3}, n_fine);
      const Var term_fine = net.decoder_target_term(cf.positions, normals_fine,
                                                    net.image_code(Var(cf.images)), cc.z_id);
      std::vector<std::vector<float>> basis;
      for (const std::vector<float>& b : trainer.canonical_basis())
        basis.push_back(remeshed.transfer(b, 3));
      accumulate(swapped[0], rig_error(decode_rig(net, cc.target_term, cc.omega), basis), n);
      accumulate(swapped[1], rig_error(rig_with(net, cc.target_term, skin_fine), basis), n);
      accumulate(swapped[2], rig_error(rig_with(net, term_fine, cc.z_skin.value()), basis), n);
      accumulate(swapped[3], rig_error(rig_with(net, term_fine, skin_fine), basis), n);
    }
    const char* kinds[4] = {"re-mesh's own", "ICT z_Skin", "ICT normals", "ICT z_Skin and normals"};
    for (int k = 0; k < 4; ++k)
      std::printf("%s,%.3f,%.3f,%.3f,%.3f\n", kinds[k], swapped[k].overall, swapped[k].shape_mean,
                  shape_mean_with_prefix(swapped[k], names, "eye"),
                  swapped[k].per_shape[size_t(eye_blink)]);
  }
  std::printf("\nshape");
  for (const Row& r : rows) std::printf(",%s %s", r.identities.c_str(), r.topology.c_str());
  for (size_t e = 0; e < names.size(); ++e) {
    std::printf("\n%s", names[e].c_str());
    for (const Row& r : rows) std::printf(",%.3f", r.rig.per_shape[e]);
  }
  std::printf(
      "\n\nidentities,topology,z_skin,skin_accuracy,pooled,shape_mean,eyes_mean,eyeBlink_L,"
      "jawOpen\n");
  for (const Row& r : rows)
    for (const auto& [kind, rig] :
         {std::pair{"encoder", &r.rig}, std::pair{"labels", &r.rig_labels}}) {
      if (rig->per_shape.empty()) continue;
      auto shape = [&](const char* name) {
        for (size_t e = 0; e < names.size(); ++e)
          if (names[e] == name) return rig->per_shape[e];
        return 0.0;
      };
      std::printf("%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f\n", r.identities.c_str(),
                  r.topology.c_str(), kind, r.skin_accuracy, rig->overall, rig->shape_mean,
                  shape_mean_with_prefix(*rig, names, "eye"), shape("eyeBlink_L"),
                  shape("jawOpen"));
    }
  return 0;
}

}  // namespace nfs
