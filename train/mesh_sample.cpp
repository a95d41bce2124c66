#include "train/mesh_sample.h"

namespace nfs {

std::vector<std::vector<float>> retarget_positions(NfsNetwork& net, const PreparedMesh& source_mesh,
                                                   const std::vector<std::vector<float>>& sources,
                                                   const PreparedMesh& target_mesh, int batch, Device device) {
  NoGradGuard no_grad;
  const bool was_training = net.training();
  net.train(false);
  const int64_t Vt = target_mesh.topology->num_vertices;
  FrameBatch target = make_frames(target_mesh.neutral, 1, target_mesh, net.config.camera, device);
  std::vector<std::vector<float>> out;
  for (size_t start = 0; start < sources.size(); start += batch) {
    const size_t end = std::min(sources.size(), start + size_t(batch));
    std::vector<float> flat;
    for (size_t i = start; i < end; ++i) flat.insert(flat.end(), sources[i].begin(), sources[i].end());
    FrameBatch src = make_frames(flat, int64_t(end - start), source_mesh, net.config.camera, device);
    std::vector<float> delta =
        retarget_forward(net, src, source_mesh, target, target_mesh, 0).delta.value().to_vector();
    for (size_t i = start; i < end; ++i) {
      std::vector<float> p(target_mesh.neutral);
      for (int64_t k = 0; k < Vt * 3; ++k) p[k] += delta[(i - start) * Vt * 3 + k];
      out.push_back(std::move(p));
    }
  }
  net.train(was_training);
  return out;
}

QualityMetrics compare_positions(const std::vector<std::vector<float>>& results,
                                 const std::vector<std::vector<float>>& truths, const std::vector<float>& neutral,
                                 const std::vector<int32_t>& labels, int L) {
  const int64_t Vt = int64_t(neutral.size() / 3);
  std::vector<double> seg_sum(L, 0.0);
  std::vector<int64_t> seg_count(L, 0);
  double total = 0.0, baseline = 0.0;
  int64_t count = 0;
  for (size_t i = 0; i < results.size(); ++i)
    for (int64_t v = 0; v < Vt; ++v) {
      double e = 0.0;
      for (int c = 0; c < 3; ++c) {
        const double rest = neutral[3 * v + c] - truths[i][3 * v + c];
        const double d = results[i][3 * v + c] - truths[i][3 * v + c];
        e += d * d;
        baseline += rest * rest;
      }
      total += e;
      ++count;
      seg_sum[labels[v]] += e;
      ++seg_count[labels[v]];
    }
  QualityMetrics m;
  m.samples = int64_t(results.size());
  m.mse = count ? total / count : 0.0;
  m.baseline_mse = count ? baseline / count : 0.0;
  m.per_segment.assign(L, 0.0);
  int present = 0;
  for (int l = 0; l < L; ++l)
    if (seg_count[l]) {
      m.per_segment[l] = seg_sum[l] / seg_count[l];
      m.mean_of_segments += m.per_segment[l];
      ++present;
    }
  if (present) m.mean_of_segments /= present;
  return m;
}

QualityMetrics measure_retarget(NfsNetwork& net, const PreparedMesh& source_mesh,
                                const std::vector<std::vector<float>>& sources, const PreparedMesh& target_mesh,
                                const std::vector<std::vector<float>>& truths, const std::vector<int32_t>& labels,
                                int L, int batch, Device device) {
  return compare_positions(retarget_positions(net, source_mesh, sources, target_mesh, batch, device), truths,
                           target_mesh.neutral, labels, L);
}

}  // namespace nfs
