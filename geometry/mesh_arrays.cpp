#include "geometry/mesh_arrays.h"

#include <stdexcept>
#include <string>

namespace nfs {

Eigen::MatrixXd points_matrix(const std::vector<float>& p) {
  Eigen::MatrixXd V(int64_t(p.size() / 3), 3);
  for (int64_t i = 0; i < V.rows(); ++i)
    for (int k = 0; k < 3; ++k) V(i, k) = p[3 * i + k];
  return V;
}

std::vector<float> points_vector(const Eigen::MatrixXd& V) {
  std::vector<float> p(static_cast<size_t>(V.rows() * 3));
  for (int64_t i = 0; i < V.rows(); ++i)
    for (int k = 0; k < 3; ++k) p[3 * i + k] = float(V(i, k));
  return p;
}

Eigen::MatrixXi triangles_matrix(const std::vector<int32_t>& t) {
  Eigen::MatrixXi F(int64_t(t.size() / 3), 3);
  for (int64_t i = 0; i < F.rows(); ++i)
    for (int k = 0; k < 3; ++k) F(i, k) = t[3 * i + k];
  return F;
}

Tensor points_tensor(const Eigen::MatrixXd& V, Device device) {
  return Tensor::from_vector({V.rows(), 3}, points_vector(V), device);
}

Tensor triangles_tensor(const Eigen::MatrixXi& F, Device device) {
  std::vector<int32_t> f(static_cast<size_t>(F.rows() * 3));
  for (int64_t i = 0; i < F.rows(); ++i)
    for (int k = 0; k < 3; ++k) f[3 * i + k] = F(i, k);
  return Tensor::from_ints({F.rows(), 3}, f, device);
}

geo::PolygonMesh triangle_polygons(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F) {
  geo::PolygonMesh m;
  m.V = V;
  for (int64_t f = 0; f < F.rows(); ++f) {
    for (int k = 0; k < 3; ++k) {
      m.corner_vertex.push_back(F(f, k));
      m.corner_uv.push_back(-1);
    }
    m.poly_start.push_back(int(m.corner_vertex.size()));
    m.poly_group.push_back(-1);
    m.poly_material.push_back(-1);
  }
  return m;
}

geo::PolygonMesh polygon_mesh(const Eigen::MatrixXd& V, const std::vector<int>& starts, const std::vector<int>& corners) {
  if (starts.empty() || starts.front() != 0 || starts.back() != int(corners.size()))
    throw std::invalid_argument("polygon offsets must start at 0 and end at the corner count " +
                                std::to_string(corners.size()));
  geo::PolygonMesh m;
  m.V = V;
  m.poly_start = starts;
  m.corner_vertex = corners;
  m.corner_uv.assign(corners.size(), -1);
  for (size_t p = 0; p + 1 < starts.size(); ++p) {
    if (starts[p + 1] < starts[p]) throw std::invalid_argument("polygon offsets must not decrease");
    m.poly_group.push_back(-1);
    m.poly_material.push_back(-1);
  }
  return m;
}

}  // namespace nfs
