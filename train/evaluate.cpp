#include "train/evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "geometry/image_io.h"
#include "geometry/plot.h"
#include "geometry/render.h"
#include "geometry/mesh_arrays.h"
#include "infer/canonical_mesh.h"
#include "train/closest_point_baseline.h"
#include "train/comparison_sheet.h"
#include "train/diagnostics.h"
#include "train/stylize.h"

namespace nfs {

namespace {
std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.3e", v);
  return b;
}
std::string fixed(double v, int digits = 3) {
  if (std::isnan(v)) return "—";
  char b[32];
  std::snprintf(b, sizeof(b), "%.*f", digits, v);
  return b;
}

// A target of one kind for one test identity, in its own frame.
struct EvalTarget {
  const Topology* topology = nullptr;
  std::vector<float> neutral;
  std::vector<std::vector<float>> truths;     // per expression
  std::vector<std::vector<float>> rig_truth;  // per shape: the true displacement at weight 1
  const std::vector<float>* w_id = nullptr;   // the ICT identity, when it is one
};

// What the network and the baseline did on one target.
struct TargetOutcome {
  QualityMetrics network;
  double baseline_mse = 0.0;
  RigError rig, baseline_rig;
  double skin_accuracy = NAN;
  std::vector<float> z_id;
  std::vector<std::vector<float>> results, rig_pred;  // target frame
  PreparedMesh aligned;                                // the target as the network saw it
  Similarity to_canonical, to_user;
};

std::vector<float> add_vec(const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<float> c(a);
  for (size_t i = 0; i < c.size(); ++i) c[i] += b[i];
  return c;
}

// Displacements in the aligned (canonical) frame back to the target's: linear part only.
std::vector<float> to_user_delta(const std::vector<float>& d, const Similarity& to_user) {
  const Eigen::Matrix3d A = to_user.s * to_user.R;
  std::vector<float> out(d.size());
  for (size_t v = 0; v + 2 < d.size(); v += 3) {
    const Eigen::Vector3d y = A * Eigen::Vector3d(d[v], d[v + 1], d[v + 2]);
    for (int c = 0; c < 3; ++c) out[v + c] = float(y[c]);
  }
  return out;
}

struct Context {
  NfsNetwork& net;
  const IctModel& ict;
  Device dev;
  int batch, L, eigenpairs;
  AlignOptions align;
};

TargetOutcome run_target(const Context& cx, const EvalTarget& t, const PreparedMesh& source_mesh,
                         const std::vector<std::vector<float>>& sources, const ClosestPointTransfer& source_cp,
                         const std::vector<std::vector<float>>& source_deltas,
                         const std::vector<std::vector<float>>& basis) {
  TargetOutcome o;
  const Eigen::MatrixXd V = points_matrix(t.neutral);
  align_to_canonical(ict_align_reference(cx.ict), V, t.topology->F, cx.align, o.to_canonical, o.to_user);
  const Eigen::MatrixXd Vc = o.to_canonical.apply(V);
  o.aligned = prepare_mesh(*t.topology, points_vector(Vc), cx.eigenpairs, cx.dev);

  // Network: retarget, then the rig, the skin labels and z_ID of the aligned target.
  const auto aligned_results = retarget_positions(cx.net, source_mesh, sources, o.aligned, cx.batch, cx.dev);
  for (const auto& r : aligned_results) {
    std::vector<float> d(r);
    for (size_t k = 0; k < d.size(); ++k) d[k] -= o.aligned.neutral[k];
    o.results.push_back(add_vec(t.neutral, to_user_delta(d, o.to_user)));
  }
  o.network = compare_positions(o.results, t.truths, t.neutral, t.topology->labels, cx.L);
  const TargetDiagnostics diag = diagnose_target(cx.net, o.aligned, cx.dev);
  for (const auto& d : diag.rig) o.rig_pred.push_back(to_user_delta(d, o.to_user));
  o.rig = rig_error(o.rig_pred, t.rig_truth);
  if (!diag.z_skin.empty()) o.skin_accuracy = label_accuracy(diag.z_skin, t.topology->labels, cx.L);
  o.z_id = diag.z_id;

  // Baseline: closest-point transfer from the source's neutral of its frames' deltas, and of the
  // ICT deltas for the rig (they do not depend on the identity).
  std::vector<std::vector<float>> cp_results;
  for (const auto& d : source_cp.transfer(source_deltas, Vc, o.to_user)) cp_results.push_back(add_vec(t.neutral, d));
  o.baseline_mse = compare_positions(cp_results, t.truths, t.neutral, t.topology->labels, cx.L).mse;
  o.baseline_rig = rig_error(source_cp.transfer(basis, Vc, o.to_user), t.rig_truth);
  return o;
}

// Source frames in the aligned frame of a target (for encoding the source as nfs_infer would).
std::vector<std::vector<float>> apply_similarity(const std::vector<std::vector<float>>& frames, const Similarity& T) {
  std::vector<std::vector<float>> out;
  for (const auto& f : frames) out.push_back(points_vector(T.apply(points_matrix(f))));
  return out;
}

// The 53 shapes of one target, truth beside prediction, coloured by how far each vertex moves;
// each pair on the scale of its true shape (yellow at 70 % of its peak), so small shapes such as
// a blink show as clearly as jawOpen.
void write_rig_sheet(const std::string& path, const Topology& topo, const std::vector<float>& neutral,
                     const std::vector<std::vector<float>>& truth, const std::vector<std::vector<float>>& pred,
                     const std::vector<std::string>& names) {
  auto motion = [&](const std::vector<float>& d) {
    std::vector<float> m(d.size() / 3);
    for (size_t v = 0; v < m.size(); ++v)
      m[v] = std::sqrt(d[3 * v] * d[3 * v] + d[3 * v + 1] * d[3 * v + 1] + d[3 * v + 2] * d[3 * v + 2]);
    return m;
  };
  const int size = 128;
  const RasterCamera cam = canonical_camera(size);
  const Tensor faces = topo.faces_tensor(Device::CPU);
  const int64_t V = int64_t(neutral.size() / 3);
  std::vector<Tensor> cells;
  std::vector<std::string> labels;
  for (size_t k = 0; k < truth.size(); ++k) {
    const std::vector<float> m_true = motion(truth[k]);
    const float peak = std::max(1e-6f, *std::max_element(m_true.begin(), m_true.end()));
    for (int which = 0; which < 2; ++which) {
      const std::vector<float>& d = which == 0 ? truth[k] : pred[k];
      cells.push_back(render_colored(Tensor::from_vector({V, 3}, add_vec(neutral, d)), faces,
                                     heat_colors(which == 0 ? m_true : motion(d), 0.7f * peak), cam)
                          .reshape({3, size, size}));
      labels.push_back(which == 0 ? names[k] : "predicted");
    }
  }
  write_png(path, image_grid(cells, labels, 12));
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
  const Context cx{net, ict, dev, cfg.batch, L, int(net.config.eigenpairs), opt.align};
  const IdentitySplits ids = make_identity_splits(cfg.data_seed, 100, 1, 10, int(ict.num_identities()));
  const int N = int(ids.test.size());
  const Topology ict_topo = ict_topology(ict, trainer.segment_labels());
  say("re-meshing the evaluation targets (" + std::to_string(opt.remesh_vertices) + " and " +
      std::to_string(opt.stylized_vertices) + " vertices)");
  const Topology remeshed = remeshed_topology(ict, trainer.segment_labels(), opt.remesh_vertices, opt.seed);
  const Topology styl_topo = remeshed_topology(ict, trainer.segment_labels(), opt.stylized_vertices, opt.seed + 1);
  const std::vector<StyleWarp> warps = evaluation_warps(face_anchors(ict));

  // The ICT expression basis (canonical), the rig's ground truth on the ICT topology.
  const std::vector<std::vector<float>>& basis = trainer.canonical_basis();

  EvaluationReport r;
  r.kinds.resize(4);
  const char* kind_names[4] = {"self", "re-mesh", "stylized", "cross-identity"};
  struct Accum {
    std::vector<std::vector<float>> z, w, z_id, w_id, z_all;
    double skin = 0.0;
    int skin_n = 0;
  };
  std::vector<Accum> acc(4);
  for (int k = 0; k < 4; ++k) {
    r.kinds[k].name = kind_names[k];
    r.kinds[k].rig_error_per_shape.assign(E, 0.0);
  }
  std::vector<ComparisonRow> self_rows, cross_rows, styl_rows;
  std::vector<double> self_seg(L, 0.0), cross_seg(L, 0.0);
  double inverse_sum = 0.0;
  int64_t inverse_count = 0;
  const NoGradGuard no_grad;
  for (int i = 0; i < N; ++i) {
    say("test identity " + std::to_string(i + 1) + "/" + std::to_string(N));
    const int j = (i + 1) % N;
    std::vector<std::vector<float>> weights, sources, deltas;
    const std::vector<float> n_i = trainer.ict_shape(ids.test[i], {}), n_j = trainer.ict_shape(ids.test[j], {});
    for (int k = 0; k < opt.expressions_per_identity; ++k) {
      std::mt19937_64 rng = stream_rng(opt.seed, uint64_t(i), uint64_t(k));
      weights.push_back(sample_expression(rng, ExpressionMix{}, E));  // the default mixture, for every run
      sources.push_back(trainer.ict_shape(ids.test[i], weights.back()));
      std::vector<float> d(sources.back());
      for (size_t q = 0; q < d.size(); ++q) d[q] -= n_i[q];
      deltas.push_back(std::move(d));
    }
    const PreparedMesh source_mesh = prepare_mesh(ict_topo, n_i, cx.eigenpairs, dev);
    const ClosestPointTransfer source_cp(points_matrix(n_i), ict_topo.F);
    const StyleWarp& warp = warps[i % warps.size()];

    EvalTarget targets[4];
    // self
    targets[0] = {&ict_topo, n_i, sources, basis, &ids.test[i]};
    // re-mesh
    targets[1].topology = &remeshed;
    targets[1].neutral = remeshed.transfer(n_i, 3);
    for (const auto& s : sources) targets[1].truths.push_back(remeshed.transfer(s, 3));
    for (const auto& b : basis) targets[1].rig_truth.push_back(remeshed.transfer(b, 3));
    targets[1].w_id = &ids.test[i];
    // stylized: φ(n + w·B) − φ(n) on an unseen re-mesh
    targets[2].topology = &styl_topo;
    const std::vector<float> n_styl = styl_topo.transfer(n_i, 3);
    targets[2].neutral = warp.apply(n_styl);
    for (const auto& s : sources) targets[2].truths.push_back(warp.apply(styl_topo.transfer(s, 3)));
    for (const auto& b : basis) {
      std::vector<float> moved = warp.apply(add_vec(n_styl, styl_topo.transfer(b, 3)));
      for (size_t q = 0; q < moved.size(); ++q) moved[q] -= targets[2].neutral[q];
      targets[2].rig_truth.push_back(std::move(moved));
    }
    // cross-identity: identity j + w on the ICT topology
    targets[3] = {&ict_topo, n_j, {}, basis, &ids.test[j]};
    for (const auto& d : deltas) targets[3].truths.push_back(add_vec(n_j, d));

    TargetOutcome out[4];
    for (int k = 0; k < 4; ++k) {
      out[k] = run_target(cx, targets[k], source_mesh, sources, source_cp, deltas, basis);
      TargetKindResult& kr = r.kinds[k];
      kr.mse += out[k].network.mse / N;
      kr.zero_mse += out[k].network.baseline_mse / N;
      kr.baseline_mse += out[k].baseline_mse / N;
      kr.rig_error += out[k].rig.overall / N;
      kr.rig_error_shape_mean += out[k].rig.shape_mean / N;
      kr.baseline_rig_error += out[k].baseline_rig.overall / N;
      kr.rig_error_per_identity.push_back(out[k].rig.overall);
      kr.baseline_rig_error_per_identity.push_back(out[k].baseline_rig.overall);
      for (int e = 0; e < E; ++e) kr.rig_error_per_shape[e] += out[k].rig.per_shape[e] / N;
      if (!std::isnan(out[k].skin_accuracy)) {
        acc[k].skin += out[k].skin_accuracy;
        ++acc[k].skin_n;
      }
      if (targets[k].w_id) {
        acc[k].z_id.push_back(out[k].z_id);
        acc[k].w_id.push_back(*targets[k].w_id);
      }
    }
    // Encoding: the source of each kind (self, re-mesh, stylized) in its aligned frame.
    for (int k = 0; k < 3; ++k) {
      const std::vector<std::vector<float>> src_k =
          k == 0 ? sources : apply_similarity(targets[k].truths, out[k].to_canonical);
      const PreparedMesh& mesh_k = k == 0 ? source_mesh : out[k].aligned;
      const auto z = expression_codes(net, mesh_k, src_k, cfg.batch, dev);
      for (size_t q = 0; q < z.size(); ++q) {
        acc[k].z.push_back(z[q]);
        acc[k].w.push_back(weights[q]);
      }
      if (k == 0) {
        // Inverse rigging: the ICT mesh of z_GE[0:53] with the true identity against the source.
        for (size_t q = 0; q < sources.size(); ++q) {
          std::vector<float> w(z[q].begin(), z[q].begin() + E);
          std::vector<float> rebuilt = trainer.ict_shape(ids.test[i], w);
          for (size_t v = 0; v < rebuilt.size(); ++v) inverse_sum += std::pow(double(rebuilt[v]) - sources[q][v], 2);
          inverse_count += int64_t(rebuilt.size() / 3);
        }
      }
    }

    r.self.mse += out[0].network.mse / N;
    r.self.baseline_mse += out[0].network.baseline_mse / N;
    r.self.samples += out[0].network.samples;
    r.cross_topology.mse += out[1].network.mse / N;
    r.cross_topology.baseline_mse += out[1].network.baseline_mse / N;
    r.cross_topology.samples += out[1].network.samples;
    for (int l = 0; l < L; ++l) {
      self_seg[l] += out[0].network.per_segment[l] / N;
      cross_seg[l] += out[1].network.per_segment[l] / N;
    }
    if (!opt.pictures_prefix.empty()) {
      if (i < opt.picture_identities) {
        for (size_t k = 0; k < std::min<size_t>(2, sources.size()); ++k) {
          const std::string label = "test id " + std::to_string(i) + ", expr " + std::to_string(k);
          self_rows.push_back({label, &ict_topo, sources[k], &ict_topo, out[0].results[k], targets[0].truths[k]});
          cross_rows.push_back({label, &ict_topo, sources[k], &remeshed, out[1].results[k], targets[1].truths[k]});
          styl_rows.push_back({label + " (" + warp.name + ")", &ict_topo, sources[k], &styl_topo, out[2].results[k],
                               targets[2].truths[k]});
        }
      }
      if (i == 0) {
        say("writing the rig sheets and the warped heads");
        const char* files[4] = {"self", "remesh", "stylized", "cross_identity"};
        for (int k = 0; k < 4; ++k)
          write_rig_sheet(opt.pictures_prefix + "_rig_" + files[k] + ".png", *targets[k].topology,
                          targets[k].neutral, targets[k].rig_truth, out[k].rig_pred, ict.expression_names);
        std::vector<Tensor> cells;
        std::vector<std::string> labels = {"test identity 0"};
        const RasterCamera cam = canonical_camera(256);
        cells.push_back(render_front(Tensor::from_vector({int64_t(n_styl.size() / 3), 3}, n_styl),
                                     styl_topo.faces_tensor(Device::CPU), cam)
                            .reshape({3, 256, 256}));
        for (const StyleWarp& w : warps) {
          const std::vector<float> p = w.apply(n_styl);
          cells.push_back(render_front(Tensor::from_vector({int64_t(p.size() / 3), 3}, p),
                                       styl_topo.faces_tensor(Device::CPU), cam)
                              .reshape({3, 256, 256}));
          labels.push_back(w.name);
        }
        write_png(opt.pictures_prefix + "_warps.png", image_grid(cells, labels, 5));
      }
    }
  }
  for (int k = 0; k < 4; ++k) {
    TargetKindResult& kr = r.kinds[k];
    if (!acc[k].z.empty()) {
      kr.exp_r2 = r_squared(acc[k].z, acc[k].w, E);
      kr.exp_tail = tail_norm(acc[k].z, E);
      kr.exp_r2_per_shape = r_squared_per_dim(acc[k].z, acc[k].w, E);
      std::vector<std::vector<float>> z_split[2], w_split[2];  // dense, sparse
      for (size_t q = 0; q < acc[k].z.size(); ++q) {
        const bool dense = std::all_of(acc[k].w[q].begin(), acc[k].w[q].end(), [](float x) { return x > 0.0f; });
        z_split[dense ? 0 : 1].push_back(acc[k].z[q]);
        w_split[dense ? 0 : 1].push_back(acc[k].w[q]);
      }
      auto rmse = [&](int part) {
        double s2 = 0.0;
        for (size_t q = 0; q < z_split[part].size(); ++q)
          for (int e = 0; e < E; ++e) s2 += std::pow(double(z_split[part][q][e]) - w_split[part][q][e], 2);
        return std::sqrt(s2 / double(z_split[part].size() * size_t(E)));
      };
      kr.dense_frames = int(z_split[0].size());
      kr.sparse_frames = int(z_split[1].size());
      if (kr.dense_frames > 1) kr.exp_r2_dense = r_squared(z_split[0], w_split[0], E), kr.exp_rmse_dense = rmse(0);
      if (kr.sparse_frames > 1) kr.exp_r2_sparse = r_squared(z_split[1], w_split[1], E), kr.exp_rmse_sparse = rmse(1);
    }
    if (!acc[k].z_id.empty()) {
      kr.id_r2 = r_squared(acc[k].z_id, acc[k].w_id, int64_t(acc[k].w_id[0].size()));
      kr.id_vertex = vertex_space_error(acc[k].z_id, acc[k].w_id, ict.identity_deltas, int64_t(acc[k].w_id[0].size()));
    }
    if (acc[k].skin_n) kr.skin_accuracy = acc[k].skin / acc[k].skin_n;
  }
  r.inverse_rig_mse = inverse_count ? inverse_sum / inverse_count : 0.0;
  if (!opt.pictures_prefix.empty()) {
    say("writing " + opt.pictures_prefix + "_self.png, _cross_topology.png and _stylized.png");
    write_comparison_sheet(opt.pictures_prefix + "_self.png", self_rows, 0.05f);
    write_comparison_sheet(opt.pictures_prefix + "_cross_topology.png", cross_rows, 0.05f);
    write_comparison_sheet(opt.pictures_prefix + "_stylized.png", styl_rows, 0.05f);
  }
  auto finish = [&](QualityMetrics& m, const std::vector<double>& seg) {
    m.per_segment = seg;
    m.mean_of_segments = 0.0;
    for (double s : seg) m.mean_of_segments += s / L;
  };
  finish(r.self, self_seg);
  finish(r.cross_topology, cross_seg);

  // The summary table first: metric rows, target-kind columns, network then baseline.
  std::ostringstream su;
  su << "| metric (" << N << " test identities × " << opt.expressions_per_identity << " expressions) |";
  for (const auto& k : r.kinds) su << " " << k.name << " |";
  su << "\n|---|---:|---:|---:|---:|\n";
  auto row = [&](const std::string& name, auto value) {
    su << "| " << name << " |";
    for (const auto& k : r.kinds) su << " " << value(k) << " |";
    su << "\n";
  };
  row("rig error, network (1 = no motion, 0 = exact)",
      [](const TargetKindResult& k) { return fixed(k.rig_error); });
  row("rig error, network, mean of the " + std::to_string(E) + " shapes",
      [](const TargetKindResult& k) { return fixed(k.rig_error_shape_mean); });
  row("rig error, closest-point baseline", [](const TargetKindResult& k) { return fixed(k.baseline_rig_error); });
  row("retarget MSE / (Δv = 0), network", [](const TargetKindResult& k) { return fixed(k.mse / k.zero_mse); });
  row("retarget MSE / (Δv = 0), closest-point baseline",
      [](const TargetKindResult& k) { return fixed(k.baseline_mse / k.zero_mse); });
  row("encode R² of the 53 weights (source of this kind)", [](const TargetKindResult& k) { return fixed(k.exp_r2); });
  row("identity R² (z_ID[0:100] vs w_id)", [](const TargetKindResult& k) { return fixed(k.id_r2); });
  row("identity error in vertex space", [](const TargetKindResult& k) { return fixed(k.id_vertex); });
  row("skin accuracy (argmax z_Skin vs labels)", [](const TargetKindResult& k) { return fixed(k.skin_accuracy); });
  r.summary = su.str();

  std::ostringstream md;
  md << r.summary << "\n";
  md << "| retarget MSE (canonical units²) | network | closest-point baseline | Δv = 0 |\n|---|---:|---:|---:|\n";
  for (const auto& k : r.kinds)
    md << "| " << k.name << " | " << fmt(k.mse) << " | " << fmt(k.baseline_mse) << " | " << fmt(k.zero_mse) << " |\n";
  md << "\nTargets: self = the test identity's neutral (ICT topology); re-mesh = " << remeshed.num_vertices
     << " vertices, unseen seed; stylized = " << styl_topo.num_vertices
     << " vertices, unseen seed, test identity i under warp i mod 4 (";
  for (size_t w = 0; w < warps.size(); ++w) md << (w ? ", " : "") << warps[w].name;
  md << "); cross-identity = test identity i onto i + 1. Alignment of the targets: "
     << (opt.align.mode == AlignMode::kNone ? "none (they are built in the canonical frame)" : "nfs_infer's")
     << ". The baseline copies, to each target vertex, the displacement of the closest point of the source's "
        "neutral surface (ICT topology): the frame's displacement for retargeting, the ICT shape's for the rig. "
        "z_GE[53:] norm (trained to 0): "
     << fixed(r.kinds[0].exp_tail) << ".\n\n";
  std::vector<int> order(E);
  for (int e = 0; e < E; ++e) order[e] = e;
  const auto& per_shape = r.kinds[0].rig_error_per_shape;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return per_shape[a] > per_shape[b]; });
  const TargetKindResult& self_kind = r.kinds[0];
  md << "Encode R² (self) by kind of frame: dense mixes of all " << E << " shapes " << fixed(self_kind.exp_r2_dense)
     << " (" << self_kind.dense_frames << " frames, weight RMSE " << fixed(self_kind.exp_rmse_dense)
     << "); sparse and one-hot " << fixed(self_kind.exp_r2_sparse) << " (" << self_kind.sparse_frames
     << " frames, weight RMSE " << fixed(self_kind.exp_rmse_sparse) << ").\n\n";
  md << "Worst 5 shapes (self, network rig error):";
  for (int q = 0; q < std::min(5, E); ++q) md << (q ? ", " : " ") << ict.expression_names[order[q]] << " " << fixed(per_shape[order[q]]);
  md << ".\n\n| test identity | rig error self | baseline | rig error stylized | baseline |\n|---|---:|---:|---:|---:|\n";
  for (int i = 0; i < N; ++i)
    md << "| " << i << " | " << fixed(r.kinds[0].rig_error_per_identity[i]) << " | "
       << fixed(r.kinds[0].baseline_rig_error_per_identity[i]) << " | " << fixed(r.kinds[2].rig_error_per_identity[i])
       << " | " << fixed(r.kinds[2].baseline_rig_error_per_identity[i]) << " |\n";
  md << "\n| shape | encode R² (self) | rig error (self) | rig error (stylized) |\n|---|---:|---:|---:|\n";
  for (int e = 0; e < E; ++e)
    md << "| " << ict.expression_names[e] << " | " << fixed(r.kinds[0].exp_r2_per_shape[e]) << " | "
       << fixed(r.kinds[0].rig_error_per_shape[e]) << " | " << fixed(r.kinds[2].rig_error_per_shape[e]) << " |\n";
  md << "\n| SPEC §7 metric (canonical units²) | value |\n|---|---|\n";
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
