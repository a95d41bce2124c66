#include "train/diagnostics.h"

#include <cmath>
#include <stdexcept>

namespace nfs {

double r_squared(const std::vector<std::vector<float>>& pred, const std::vector<std::vector<float>>& truth,
                 int64_t dims) {
  if (pred.size() != truth.size() || truth.empty()) throw std::invalid_argument("r_squared: row counts differ or are 0");
  std::vector<double> mean(size_t(dims), 0.0);
  for (const auto& t : truth)
    for (int64_t d = 0; d < dims; ++d) mean[d] += t[d] / double(truth.size());
  double res = 0.0, tot = 0.0;
  for (size_t i = 0; i < truth.size(); ++i)
    for (int64_t d = 0; d < dims; ++d) {
      res += (double(pred[i][d]) - truth[i][d]) * (double(pred[i][d]) - truth[i][d]);
      tot += (truth[i][d] - mean[d]) * (truth[i][d] - mean[d]);
    }
  return tot > 0.0 ? 1.0 - res / tot : 0.0;
}

std::vector<double> r_squared_per_dim(const std::vector<std::vector<float>>& pred,
                                      const std::vector<std::vector<float>>& truth, int64_t dims) {
  std::vector<double> out;
  for (int64_t d = 0; d < dims; ++d) {
    std::vector<std::vector<float>> p, t;
    for (size_t i = 0; i < truth.size(); ++i) {
      p.push_back({pred[i][d]});
      t.push_back({truth[i][d]});
    }
    out.push_back(r_squared(p, t, 1));
  }
  return out;
}

double tail_norm(const std::vector<std::vector<float>>& codes, int64_t from) {
  double sum = 0.0;
  for (const auto& c : codes) {
    double s = 0.0;
    for (size_t d = size_t(from); d < c.size(); ++d) s += double(c[d]) * c[d];
    sum += std::sqrt(s);
  }
  return codes.empty() ? 0.0 : sum / double(codes.size());
}

double vertex_space_error(const std::vector<std::vector<float>>& pred, const std::vector<std::vector<float>>& truth,
                          const std::vector<float>& basis, int64_t n) {
  const size_t V3 = basis.size() / size_t(n);
  double err = 0.0, ref = 0.0;
  std::vector<double> e(V3), r(V3);
  for (size_t i = 0; i < truth.size(); ++i) {
    std::fill(e.begin(), e.end(), 0.0);
    std::fill(r.begin(), r.end(), 0.0);
    for (int64_t k = 0; k < n; ++k) {
      const double dz = double(pred[i][k]) - truth[i][k], w = truth[i][k];
      const float* b = basis.data() + size_t(k) * V3;
      for (size_t j = 0; j < V3; ++j) {
        e[j] += dz * b[j];
        r[j] += w * b[j];
      }
    }
    for (size_t j = 0; j < V3; ++j) {
      err += e[j] * e[j];
      ref += r[j] * r[j];
    }
  }
  return ref > 0.0 ? err / ref : 0.0;
}

double label_accuracy(const std::vector<float>& scores, const std::vector<int32_t>& labels, int64_t L) {
  if (scores.size() != labels.size() * size_t(L)) throw std::invalid_argument("label_accuracy: sizes differ");
  int64_t hits = 0;
  for (size_t v = 0; v < labels.size(); ++v) {
    const float* s = scores.data() + v * size_t(L);
    int64_t best = 0;
    for (int64_t l = 1; l < L; ++l)
      if (s[l] > s[best]) best = l;
    hits += best == labels[v];
  }
  return labels.empty() ? 0.0 : double(hits) / double(labels.size());
}

RigError rig_error(const std::vector<std::vector<float>>& predicted, const std::vector<std::vector<float>>& truth) {
  if (predicted.size() != truth.size()) throw std::invalid_argument("rig_error: shape counts differ");
  RigError r;
  double err = 0.0, ref = 0.0;
  for (size_t k = 0; k < truth.size(); ++k) {
    double e = 0.0, b = 0.0;
    for (size_t j = 0; j < truth[k].size(); ++j) {
      const double d = double(predicted[k][j]) - truth[k][j];
      e += d * d;
      b += double(truth[k][j]) * truth[k][j];
    }
    r.per_shape.push_back(b > 0.0 ? e / b : 0.0);
    err += e;
    ref += b;
  }
  r.overall = ref > 0.0 ? err / ref : 0.0;
  if (!r.per_shape.empty()) {
    r.shape_mean = 0.0;
    for (double e : r.per_shape) r.shape_mean += e / double(r.per_shape.size());
  }
  return r;
}

double shape_mean_with_prefix(const RigError& r, const std::vector<std::string>& names,
                              const std::string& prefix) {
  double sum = 0.0;
  int n = 0;
  for (size_t e = 0; e < names.size() && e < r.per_shape.size(); ++e)
    if (names[e].rfind(prefix, 0) == 0) sum += r.per_shape[e], ++n;
  return n > 0 ? sum / n : 0.0;
}

TargetDiagnostics diagnose_target(NfsNetwork& net, const PreparedMesh& target, Device device) {
  NoGradGuard no_grad;
  const bool was_training = net.training();
  net.train(false);
  FrameBatch frames = make_frames(target.neutral, 1, target, net.config.camera, device);
  TargetCodes t = encode_target(net, frames, target, 0);
  TargetDiagnostics d;
  d.z_id = t.z_id.value().to_vector();
  if (t.z_skin.defined()) d.z_skin = t.z_skin.value().to_vector();
  d.rig = decode_rig(net, t.target_term, t.omega);
  net.train(was_training);
  return d;
}

std::vector<std::vector<float>> decode_rig(const NfsNetwork& net, const Var& target_term,
                                           const Var& omega) {
  NoGradGuard no_grad;
  const int64_t V = target_term.shape()[1], D = net.config.code_dim, K = net.config.num_expression;
  // Codes 0, e_0 .. e_{K-1}: the rest pose and each shape at weight 1, as `nfs_infer rig` does.
  std::vector<float> codes(size_t((K + 1) * D), 0.0f);
  for (int64_t k = 0; k < K; ++k) codes[size_t((k + 1) * D + k)] = 1.0f;
  const Var code_var(Tensor::from_vector({K + 1, D}, codes, target_term.value().device()));
  const std::vector<float> delta = net.decode(target_term, omega, code_var).value().to_vector();
  std::vector<std::vector<float>> rig;
  for (int64_t k = 0; k < K; ++k) {
    std::vector<float> s(size_t(V * 3));
    for (int64_t j = 0; j < V * 3; ++j) s[j] = delta[size_t((k + 1) * V * 3 + j)] - delta[size_t(j)];
    rig.push_back(std::move(s));
  }
  return rig;
}

std::vector<std::vector<float>> expression_codes(NfsNetwork& net, const PreparedMesh& source_mesh,
                                                 const std::vector<std::vector<float>>& sources, int batch,
                                                 Device device) {
  NoGradGuard no_grad;
  const bool was_training = net.training();
  net.train(false);
  const int64_t D = net.config.code_dim;
  std::vector<std::vector<float>> out;
  for (size_t start = 0; start < sources.size(); start += size_t(batch)) {
    const size_t end = std::min(sources.size(), start + size_t(batch));
    std::vector<float> flat;
    for (size_t i = start; i < end; ++i) flat.insert(flat.end(), sources[i].begin(), sources[i].end());
    FrameBatch src = make_frames(flat, int64_t(end - start), source_mesh, net.config.camera, device);
    std::vector<float> z = encode_source(net, src, source_mesh, 0).value().to_vector();
    for (size_t i = 0; i < end - start; ++i) out.emplace_back(z.begin() + i * D, z.begin() + (i + 1) * D);
  }
  net.train(was_training);
  return out;
}

}  // namespace nfs
