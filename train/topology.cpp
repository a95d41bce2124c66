#include "train/topology.h"

#include <string>

#include "geometry/remesh.h"

namespace nfs {

namespace {
Eigen::MatrixXi ict_triangles(const IctModel& model) {
  std::vector<int32_t> t = model.triangles();
  Eigen::MatrixXi F(int64_t(t.size() / 3), 3);
  for (int64_t i = 0; i < F.rows(); ++i)
    for (int k = 0; k < 3; ++k) F(i, k) = t[3 * i + k];
  return F;
}
}  // namespace

std::vector<float> Topology::transfer(const std::vector<float>& values, int C) const {
  if (is_ict) return values;
  std::vector<float> out(static_cast<size_t>(num_vertices * C));
  for (int64_t i = 0; i < num_vertices; ++i) {
    const int t = tri(i);
    for (int c = 0; c < C; ++c) {
      double v = 0.0;
      for (int k = 0; k < 3; ++k) v += bary(i, k) * values[size_t(ict_F(t, k)) * C + c];
      out[i * C + c] = float(v);
    }
  }
  return out;
}

Tensor Topology::faces_tensor(Device device) const {
  std::vector<int32_t> f(static_cast<size_t>(F.rows() * 3));
  for (int64_t i = 0; i < F.rows(); ++i)
    for (int k = 0; k < 3; ++k) f[i * 3 + k] = F(i, k);
  return Tensor::from_ints({F.rows(), 3}, f, device);
}

Topology ict_topology(const IctModel& model, const std::vector<int32_t>& labels) {
  Topology t;
  t.name = "ict";
  t.F = ict_triangles(model);
  t.ict_F = t.F;
  t.labels = labels;
  t.num_vertices = model.num_vertices;
  return t;
}

Topology remeshed_topology(const IctModel& model, const std::vector<int32_t>& labels, int vertices,
                           uint64_t seed) {
  Topology t;
  t.name = "remesh-" + std::to_string(vertices) + "-s" + std::to_string(seed);
  t.is_ict = false;
  t.ict_F = ict_triangles(model);
  std::vector<float> P = model.neutral;
  model.to_canonical(P);
  Eigen::MatrixXd V(model.num_vertices, 3);
  for (int64_t i = 0; i < V.rows(); ++i)
    for (int k = 0; k < 3; ++k) V(i, k) = P[3 * i + k];
  RemeshOptions opt;
  opt.target_vertices = vertices;
  opt.seed = seed;
  Eigen::MatrixXd V2;
  remesh(V, t.ict_F, opt, V2, t.F, t.tri, t.bary);
  t.num_vertices = V2.rows();
  t.labels.resize(t.num_vertices);
  for (int64_t i = 0; i < t.num_vertices; ++i) {
    int best = 0;
    for (int k = 1; k < 3; ++k)
      if (t.bary(i, k) > t.bary(i, best)) best = k;
    t.labels[i] = labels[t.ict_F(t.tri(i), best)];
  }
  return t;
}

}  // namespace nfs
