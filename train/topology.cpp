#include "train/topology.h"

#include <string>

#include "geometry/mesh_arrays.h"
#include "geometry/remesh.h"

namespace nfs {

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


Topology ict_topology(const IctModel& model, const std::vector<int32_t>& labels) {
  Topology t;
  t.name = "ict";
  t.F = triangles_matrix(model.triangles());
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
  t.ict_F = triangles_matrix(model.triangles());
  std::vector<float> P = model.neutral;
  model.to_canonical(P);
  const Eigen::MatrixXd V = points_matrix(P);
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
