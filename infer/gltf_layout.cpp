#include "infer/gltf_layout.h"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "geometry/fan_triangulate.h"

namespace nfs {
namespace {

void check_triangles(int num_vertices, const Eigen::MatrixXi& F) {
  if (num_vertices < 0) throw std::invalid_argument("glTF layout: negative vertex count");
  if (F.rows() > 0 && F.cols() != 3)
    throw std::invalid_argument("glTF layout: triangles must be #F by 3");
  for (Eigen::Index t = 0; t < F.rows(); ++t)
    for (int k = 0; k < 3; ++k)
      if (F(t, k) < 0 || F(t, k) >= num_vertices)
        throw std::invalid_argument("glTF layout: triangle " + std::to_string(t) + " uses vertex " +
                                    std::to_string(F(t, k)) + " of " +
                                    std::to_string(num_vertices));
}

}  // namespace

std::vector<float> GltfVertexLayout::gather(const std::vector<float>& per_mesh_vertex,
                                            int channels) const {
  if (channels <= 0 || per_mesh_vertex.size() != size_t(num_mesh_vertices) * channels)
    throw std::invalid_argument("glTF layout: per-vertex data of " +
                                std::to_string(per_mesh_vertex.size()) + " values for " +
                                std::to_string(num_mesh_vertices) + " vertices x " +
                                std::to_string(channels) + " channels");
  std::vector<float> out(mesh_vertex.size() * channels);
  for (size_t i = 0; i < mesh_vertex.size(); ++i)
    for (int c = 0; c < channels; ++c)
      out[i * channels + c] = per_mesh_vertex[size_t(mesh_vertex[i]) * channels + c];
  return out;
}

std::vector<float> GltfVertexLayout::gather(const Eigen::MatrixXd& per_mesh_vertex) const {
  if (per_mesh_vertex.rows() != num_mesh_vertices || per_mesh_vertex.cols() <= 0)
    throw std::invalid_argument("glTF layout: per-vertex matrix has " +
                                std::to_string(per_mesh_vertex.rows()) + " rows for " +
                                std::to_string(num_mesh_vertices) + " vertices");
  const Eigen::Index channels = per_mesh_vertex.cols();
  std::vector<float> out(mesh_vertex.size() * channels);
  for (size_t i = 0; i < mesh_vertex.size(); ++i)
    for (Eigen::Index c = 0; c < channels; ++c)
      out[i * channels + c] = float(per_mesh_vertex(mesh_vertex[i], c));
  return out;
}

GltfVertexLayout gltf_vertex_layout(int num_vertices, const Eigen::MatrixXi& F) {
  check_triangles(num_vertices, F);
  GltfVertexLayout L;
  L.num_mesh_vertices = num_vertices;
  L.mesh_vertex.resize(num_vertices);
  for (int i = 0; i < num_vertices; ++i) L.mesh_vertex[i] = i;
  L.mesh_triangles = F.rows() > 0 ? F : Eigen::MatrixXi(0, 3);
  L.triangles.resize(size_t(F.rows()) * 3);
  for (Eigen::Index t = 0; t < F.rows(); ++t)
    for (int k = 0; k < 3; ++k) L.triangles[t * 3 + k] = uint32_t(F(t, k));
  return L;
}

GltfVertexLayout gltf_vertex_layout(int num_vertices, const Eigen::MatrixXi& F,
                                    const Eigen::MatrixXd& UV, const Eigen::MatrixXi& F_uv) {
  check_triangles(num_vertices, F);
  if (F_uv.rows() != F.rows() || (F.rows() > 0 && F_uv.cols() != 3))
    throw std::invalid_argument(
        "glTF layout: corner UV indices must be #F by 3, like the triangles");
  if (UV.rows() > 0 && UV.cols() != 2)
    throw std::invalid_argument("glTF layout: UVs must be #UV by 2");
  GltfVertexLayout L = gltf_vertex_layout(num_vertices, F);

  // UV value of a corner, in glTF's convention.
  auto corner_uv = [&](Eigen::Index t, int k) {
    const int u = F_uv(t, k);
    if (u < -1 || u >= UV.rows())
      throw std::invalid_argument("glTF layout: triangle " + std::to_string(t) + " uses UV " +
                                  std::to_string(u) + " of " + std::to_string(UV.rows()));
    if (u < 0) return std::array<float, 2>{0.0f, 1.0f};  // (0, 0) in OBJ's convention
    return std::array<float, 2>{float(UV(u, 0)), float(1.0 - UV(u, 1))};
  };

  // copies[v]: the glTF vertices holding mesh vertex v (the first is v itself).
  std::vector<std::vector<uint32_t>> copies(num_vertices);
  L.uv.assign(size_t(num_vertices) * 2, 0.0f);
  for (int v = 0; v < num_vertices; ++v) L.uv[v * 2 + 1] = 1.0f;  // unused vertices: (0, 0)
  for (Eigen::Index t = 0; t < F.rows(); ++t) {
    for (int k = 0; k < 3; ++k) {
      const int v = F(t, k);
      const auto uv = corner_uv(t, k);
      uint32_t g = UINT32_MAX;
      if (copies[v].empty()) {
        g = uint32_t(v);
        L.uv[g * 2] = uv[0];
        L.uv[g * 2 + 1] = uv[1];
        copies[v].push_back(g);
      } else {
        for (uint32_t c : copies[v])
          if (L.uv[c * 2] == uv[0] && L.uv[c * 2 + 1] == uv[1]) g = c;
        if (g == UINT32_MAX) {
          g = uint32_t(L.mesh_vertex.size());
          L.mesh_vertex.push_back(v);
          L.uv.push_back(uv[0]);
          L.uv.push_back(uv[1]);
          copies[v].push_back(g);
        }
      }
      L.triangles[t * 3 + k] = g;
    }
  }
  return L;
}

GltfVertexLayout gltf_vertex_layout(const geo::PolygonMesh& mesh) {
  Eigen::MatrixXi F;
  Eigen::VectorXi F_poly;
  geo::fan_triangulate(mesh, F, F_poly);
  const int V = int(mesh.V.rows());
  if (mesh.UV.rows() == 0) return gltf_vertex_layout(V, F);
  if (mesh.corner_uv.size() != mesh.corner_vertex.size())
    throw std::invalid_argument("glTF layout: polygon mesh has " +
                                std::to_string(mesh.corner_uv.size()) + " corner UVs for " +
                                std::to_string(mesh.corner_vertex.size()) + " corners");
  // Triangle t is the j-th of its polygon: corners (0, j + 1, j + 2) of the polygon.
  Eigen::MatrixXi F_uv(F.rows(), 3);
  int j = 0;
  for (Eigen::Index t = 0; t < F.rows(); ++t) {
    const int p = F_poly(t);
    j = (t > 0 && F_poly(t - 1) == p) ? j + 1 : 0;
    const int* c = mesh.corner_uv.data() + mesh.poly_start[p];
    F_uv(t, 0) = c[0];
    F_uv(t, 1) = c[j + 1];
    F_uv(t, 2) = c[j + 2];
  }
  return gltf_vertex_layout(V, F, mesh.UV, F_uv);
}

}  // namespace nfs
