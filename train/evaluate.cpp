#include "train/evaluate.h"

#include <cstdio>
#include <sstream>

#include "train/comparison_sheet.h"

namespace nfs {

namespace {
std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.3e", v);
  return b;
}
}  // namespace

EvaluationReport evaluate(Trainer& trainer, NfsNetwork& net, const EvaluationOptions& opt,
                          const std::function<void(const std::string&)>& progress) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  const TrainConfig& cfg = trainer.config();
  const IctModel& ict = trainer.ict();
  const int L = int(net.config.segments), E = int(ict.num_expressions());
  const Device dev = trainer.device();
  const IdentitySplits ids = make_identity_splits(cfg.data_seed, 100, 1, 10, int(ict.num_identities()));
  const Topology ict_topo = ict_topology(ict, trainer.segment_labels());
  say("re-meshing the cross-topology target (" + std::to_string(opt.remesh_vertices) + " vertices)");
  const Topology remeshed = remeshed_topology(ict, trainer.segment_labels(), opt.remesh_vertices, opt.seed);

  EvaluationReport r;
  std::vector<ComparisonRow> self_rows, cross_rows;
  std::vector<double> self_seg(L, 0.0), cross_seg(L, 0.0);
  double inverse_sum = 0.0;
  int64_t inverse_count = 0;
  const NoGradGuard no_grad;
  for (size_t i = 0; i < ids.test.size(); ++i) {
    say("test identity " + std::to_string(i + 1) + "/" + std::to_string(ids.test.size()));
    std::vector<std::vector<float>> weights, sources, cross_truth;
    for (int k = 0; k < opt.expressions_per_identity; ++k) {
      std::mt19937_64 rng = stream_rng(opt.seed, i, uint64_t(k));
      weights.push_back(sample_expression(rng, cfg.mix, E));
      sources.push_back(trainer.ict_shape(ids.test[i], weights.back()));
      cross_truth.push_back(remeshed.transfer(sources.back(), 3));
    }
    const int eig = int(net.config.eigenpairs);
    PreparedMesh neutral = prepare_mesh(ict_topo, trainer.ict_shape(ids.test[i], {}), eig, dev);
    PreparedMesh neutral_remeshed = prepare_mesh(remeshed, remeshed.transfer(neutral.neutral, 3), eig, dev);
    QualityMetrics a = measure_retarget(net, neutral, sources, neutral, sources, ict_topo.labels, L, cfg.batch, dev);
    QualityMetrics b = measure_retarget(net, neutral, sources, neutral_remeshed, cross_truth, remeshed.labels, L,
                                        cfg.batch, dev);
    r.self.mse += a.mse / ids.test.size();
    r.self.baseline_mse += a.baseline_mse / ids.test.size();
    r.cross_topology.mse += b.mse / ids.test.size();
    r.cross_topology.baseline_mse += b.baseline_mse / ids.test.size();
    if (!opt.pictures_prefix.empty() && int(i) < opt.picture_identities) {
      const std::vector<std::vector<float>> shown(sources.begin(), sources.begin() + std::min<size_t>(2, sources.size()));
      const auto self_result = retarget_positions(net, neutral, shown, neutral, cfg.batch, dev);
      const auto cross_result = retarget_positions(net, neutral, shown, neutral_remeshed, cfg.batch, dev);
      for (size_t k = 0; k < shown.size(); ++k) {
        const std::string label = "test id " + std::to_string(i) + ", expr " + std::to_string(k);
        self_rows.push_back({label, &ict_topo, shown[k], &ict_topo, self_result[k], shown[k]});
        cross_rows.push_back({label, &ict_topo, shown[k], &remeshed, cross_result[k], cross_truth[k]});
      }
    }
    for (int l = 0; l < L; ++l) {
      self_seg[l] += a.per_segment[l] / ids.test.size();
      cross_seg[l] += b.per_segment[l] / ids.test.size();
    }
    r.self.samples += a.samples;
    r.cross_topology.samples += b.samples;

    // Inverse rigging: the ICT mesh of z_GE[0:53] with the true identity against the source.
    const bool was_training = net.training();
    net.train(false);
    std::vector<float> flat;
    for (const auto& s : sources) flat.insert(flat.end(), s.begin(), s.end());
    FrameBatch src = make_frames(flat, int64_t(sources.size()), neutral, net.config.camera, dev);
    Var c = net.image_code(Var(src.images));
    std::vector<float> z = net.expression_code(net.vertex_features(src.positions, src.normals, c), neutral.ops, 0)
                               .value()
                               .to_vector();
    net.train(was_training);
    const int64_t D = net.config.code_dim;
    for (size_t k = 0; k < sources.size(); ++k) {
      std::vector<float> w(z.begin() + k * D, z.begin() + k * D + E);
      std::vector<float> rebuilt = trainer.ict_shape(ids.test[i], w);
      for (int64_t v = 0; v < ict.num_vertices; ++v) {
        double e = 0.0;
        for (int cc = 0; cc < 3; ++cc) {
          const double d = rebuilt[3 * v + cc] - sources[k][3 * v + cc];
          e += d * d;
        }
        inverse_sum += e;
        ++inverse_count;
      }
    }
  }
  r.inverse_rig_mse = inverse_count ? inverse_sum / inverse_count : 0.0;
  if (!opt.pictures_prefix.empty()) {
    say("writing " + opt.pictures_prefix + "_self.png and _cross_topology.png");
    write_comparison_sheet(opt.pictures_prefix + "_self.png", self_rows, 0.05f);
    write_comparison_sheet(opt.pictures_prefix + "_cross_topology.png", cross_rows, 0.05f);
  }
  auto finish = [&](QualityMetrics& m, const std::vector<double>& seg) {
    m.per_segment = seg;
    m.mean_of_segments = 0.0;
    for (double s : seg) m.mean_of_segments += s / L;
  };
  finish(r.self, self_seg);
  finish(r.cross_topology, cross_seg);

  std::ostringstream md;
  md << "| metric (canonical units², 10 test identities × " << opt.expressions_per_identity
     << " expressions) | value |\n|---|---|\n";
  md << "| expression MSE, all vertices | " << fmt(r.self.mse) << " |\n";
  md << "| (the same with Δv = 0: the target left neutral) | " << fmt(r.self.baseline_mse) << " |\n";
  md << "| expression MSE, mean of segments | " << fmt(r.self.mean_of_segments) << " |\n";
  md << "| cross-topology MSE (target re-meshed to " << remeshed.num_vertices << " vertices) | "
     << fmt(r.cross_topology.mse) << " |\n";
  md << "| (the same with Δv = 0) | " << fmt(r.cross_topology.baseline_mse) << " |\n";
  md << "| cross-topology MSE, mean of segments | " << fmt(r.cross_topology.mean_of_segments) << " |\n";
  md << "| inverse rigging MSE | " << fmt(r.inverse_rig_mse) << " |\n";
  md << "| (the same with w = 0: the identity's neutral) | " << fmt(r.self.baseline_mse) << " |\n\n";
  md << "| segment | self MSE | cross-topology MSE |\n|---|---|---|\n";
  for (int l = 0; l < L; ++l)
    md << "| " << l << " | " << fmt(r.self.per_segment[l]) << " | " << fmt(r.cross_topology.per_segment[l]) << " |\n";
  r.markdown = md.str();
  return r;
}

}  // namespace nfs
