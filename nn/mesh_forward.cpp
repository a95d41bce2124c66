#include "nn/mesh_forward.h"

#include "geometry/jacobian_operator.h"
#include "geometry/mesh_arrays.h"
#include "geometry/operator_io.h"
#include "geometry/render.h"

namespace nfs {

Tensor MeshTopology::faces_tensor(Device device) const { return triangles_tensor(F, device); }


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

PreparedMesh prepare_mesh(const MeshTopology& topology, std::vector<float> neutral, int eigenpairs, Device device) {
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

namespace {
// Position offsets are ~0.03 canonical units (~3 mm): scaled to the order of the normals' offsets.
constexpr float kOffsetScale = 10.0f;

// [B, V, 6]: each frame's (position, normal) minus the source neutral's (exp_neutral_offsets).
Var neutral_offsets(const FrameBatch& source, const PreparedMesh& source_mesh) {
  NoGradGuard no_grad;
  const int64_t V = source.positions.size(1);
  if (int64_t(source_mesh.neutral.size()) != V * 3)
    throw std::invalid_argument("encode_source: the source neutral has " +
                                std::to_string(source_mesh.neutral.size() / 3) + " vertices, the frames " +
                                std::to_string(V));
  Var x0(Tensor::from_vector({1, V, 3}, source_mesh.neutral, source.positions.device()));
  Var n0 = vertex_normals(x0, source_mesh.faces);
  return concat({scale(sub(Var(source.positions), x0), kOffsetScale), sub(Var(source.normals), n0)});
}
}  // namespace

Var encode_source(NfsNetwork& net, const FrameBatch& source, const PreparedMesh& source_mesh, uint64_t seed) {
  Var c_src = net.image_code(Var(source.images));
  Var features = net.vertex_features(source.positions, source.normals, c_src);
  Var z_skin;  // the source's own segments, for pooling per segment (not trained from here)
  if (net.config.exp_segment_pool) {
    NoGradGuard no_grad;
    z_skin = Var(net.skin_weights(features, source_mesh.ops, seed * 4 + 3).value());
  }
  if (net.config.exp_neutral_offsets) features = concat({features, neutral_offsets(source, source_mesh)});
  return net.expression_code(features, source_mesh.ops, seed * 4 + 1, z_skin);
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
