#include "train/mesh_sample.h"

#include "geometry/jacobian_operator.h"
#include "geometry/mesh_arrays.h"
#include "geometry/operator_io.h"
#include "geometry/render.h"

namespace nfs {

namespace {
CsrMatrix scaled(const CsrMatrix& m, float s) {
  NoGradGuard no_grad;
  CsrMatrix out = m;
  out.values = scale(Var(m.values), s).value();
  if (m.transpose) {
    auto t = std::make_shared<CsrMatrix>(*m.transpose);
    t->values = scale(Var(m.transpose->values), s).value();
    out.transpose = t;
  }
  return out;
}

Tensor scaled(const Tensor& t, float s) {
  NoGradGuard no_grad;
  return scale(Var(t), s).value();
}
}  // namespace

PreparedMesh prepare_mesh(const Topology& topology, std::vector<float> neutral, int eigenpairs, Device device) {
  PreparedMesh m;
  m.topology = &topology;
  const Eigen::MatrixXd V = points_matrix(neutral);
  m.ops = to_spectral(cached_mesh_operators(V, topology.F, eigenpairs), device);
  Eigen::SparseMatrix<double> J;
  geo::jacobian_operator(V, topology.F, J);
  m.jacobian = to_csr(J, device);
  m.faces = topology.faces_tensor(device);
  m.neutral = std::move(neutral);
  return m;
}

PreparedMesh scaled_mesh(const PreparedMesh& mesh, float s) {
  PreparedMesh m = mesh;
  m.ops.mass = scaled(mesh.ops.mass, s * s);
  m.ops.evals = scaled(mesh.ops.evals, 1.0f / (s * s));
  m.ops.evecs = scaled(mesh.ops.evecs, 1.0f / s);
  m.ops.mass_evecs = scaled(mesh.ops.mass_evecs, s);
  m.ops.grad_x = scaled(mesh.ops.grad_x, 1.0f / s);
  m.ops.grad_y = scaled(mesh.ops.grad_y, 1.0f / s);
  m.jacobian = scaled(mesh.jacobian, 1.0f / s);
  for (float& x : m.neutral) x *= s;
  return m;
}

FrameBatch make_frames(const std::vector<float>& positions, int64_t frames, const PreparedMesh& mesh,
                       const RasterCamera& camera, Device device) {
  NoGradGuard no_grad;
  const int64_t V = mesh.topology->num_vertices;
  FrameBatch b;
  b.positions = Tensor::from_vector({frames, V, 3}, positions, device);
  b.normals = vertex_normals(Var(b.positions), mesh.faces).value();
  b.images = render_front(b.positions, mesh.faces, camera);
  return b;
}

Var encode_source(NfsNetwork& net, const FrameBatch& source, const PreparedMesh& source_mesh, uint64_t seed) {
  Var c_src = net.image_code(Var(source.images));
  return net.expression_code(net.vertex_features(source.positions, source.normals, c_src), source_mesh.ops,
                             seed * 4 + 1);
}

TargetCodes encode_target(NfsNetwork& net, const FrameBatch& target, const PreparedMesh& target_mesh, uint64_t seed) {
  TargetCodes t;
  Var c_tgt = net.image_code(Var(target.images));
  Var features = net.vertex_features(target.positions, target.normals, c_tgt);
  t.z_id = net.identity_code(features, target_mesh.ops, seed * 4 + 2);
  if (net.config.skinning) {
    t.z_skin = net.skin_weights(features, target_mesh.ops, seed * 4 + 3);
    t.omega = net.skinning_omega(t.z_skin);
  }
  t.target_term = net.decoder_target_term(target.positions, target.normals, c_tgt, t.z_id);
  return t;
}

RetargetOutputs retarget_forward(NfsNetwork& net, const FrameBatch& source, const PreparedMesh& source_mesh,
                                 const FrameBatch& target, const PreparedMesh& target_mesh, uint64_t seed,
                                 bool decode) {
  RetargetOutputs o;
  o.z_ge = encode_source(net, source, source_mesh, seed);
  TargetCodes t = encode_target(net, target, target_mesh, seed);
  o.z_id = t.z_id;
  o.z_skin = t.z_skin;
  o.omega = t.omega;
  o.target_term = t.target_term;
  if (decode) o.delta = net.decode(o.target_term, o.omega, o.z_ge);
  return o;
}

}  // namespace nfs

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
