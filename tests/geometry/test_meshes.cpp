#include "geometry/test_meshes.h"

#include <cmath>
#include <map>
#include <utility>

namespace nfs::test {

void icosphere(int levels, Eigen::MatrixXd& V, Eigen::MatrixXi& F) {
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  std::vector<Eigen::Vector3d> v = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0},
                                    {0, -1, t}, {0, 1, t}, {0, -1, -t}, {0, 1, -t},
                                    {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
  for (auto& p : v) p.normalize();
  std::vector<Eigen::Vector3i> f = {{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11},
                                    {1, 5, 9},  {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
                                    {3, 9, 4},  {3, 4, 2},  {3, 2, 6},   {3, 6, 8},  {3, 8, 9},
                                    {4, 9, 5},  {2, 4, 11}, {6, 2, 10},  {8, 6, 7},  {9, 8, 1}};
  for (int l = 0; l < levels; ++l) {
    std::map<std::pair<int, int>, int> mid;
    auto midpoint = [&](int a, int b) {
      const auto key = std::make_pair(std::min(a, b), std::max(a, b));
      auto it = mid.find(key);
      if (it != mid.end()) return it->second;
      v.push_back((v[a] + v[b]).normalized());
      const int id = static_cast<int>(v.size()) - 1;
      mid.emplace(key, id);
      return id;
    };
    std::vector<Eigen::Vector3i> g;
    for (const auto& tri : f) {
      const int a = midpoint(tri[0], tri[1]), b = midpoint(tri[1], tri[2]),
                c = midpoint(tri[2], tri[0]);
      g.push_back({tri[0], a, c});
      g.push_back({tri[1], b, a});
      g.push_back({tri[2], c, b});
      g.push_back({a, b, c});
    }
    f.swap(g);
  }
  V.resize(static_cast<Eigen::Index>(v.size()), 3);
  for (size_t i = 0; i < v.size(); ++i) V.row(i) = v[i].transpose();
  F.resize(static_cast<Eigen::Index>(f.size()), 3);
  for (size_t i = 0; i < f.size(); ++i) F.row(i) = f[i].transpose();
}

void grid(int nx, int ny, double h, Eigen::MatrixXd& V, Eigen::MatrixXi& F) {
  V.resize((nx + 1) * (ny + 1), 3);
  for (int j = 0; j <= ny; ++j)
    for (int i = 0; i <= nx; ++i) V.row(j * (nx + 1) + i) << i * h, j * h, 0.0;
  F.resize(2 * nx * ny, 3);
  int t = 0;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const int a = j * (nx + 1) + i, b = a + 1, c = a + nx + 1, d = c + 1;
      if ((i + j) % 2 == 0) {
        F.row(t++) << a, b, d;
        F.row(t++) << a, d, c;
      } else {
        F.row(t++) << a, b, c;
        F.row(t++) << b, d, c;
      }
    }
}

void remove_unreferenced(Eigen::MatrixXd& V, Eigen::MatrixXi& F) {
  Eigen::VectorXi map = Eigen::VectorXi::Constant(V.rows(), -1);
  for (Eigen::Index f = 0; f < F.rows(); ++f)
    for (int k = 0; k < 3; ++k) map(F(f, k)) = 0;
  int n = 0;
  for (Eigen::Index i = 0; i < V.rows(); ++i)
    if (map(i) == 0) map(i) = n++;
  Eigen::MatrixXd W(n, 3);
  for (Eigen::Index i = 0; i < V.rows(); ++i)
    if (map(i) >= 0) W.row(map(i)) = V.row(i);
  for (Eigen::Index f = 0; f < F.rows(); ++f)
    for (int k = 0; k < 3; ++k) F(f, k) = map(F(f, k));
  V.swap(W);
}

std::vector<TestMesh> test_meshes(int levels) {
  std::vector<TestMesh> out;
  TestMesh sphere;
  sphere.name = "sphere";
  icosphere(levels, sphere.V, sphere.F);
  out.push_back(sphere);

  // Three holes (like eyes and a mouth): drop the triangles near three points.
  TestMesh holes;
  holes.name = "sphere with holes";
  holes.closed = false;
  {
    const Eigen::Vector3d centres[3] = {Eigen::Vector3d(0.5, 0.3, 0.81).normalized(),
                                        Eigen::Vector3d(-0.5, 0.3, 0.81).normalized(),
                                        Eigen::Vector3d(0, -0.5, 0.87).normalized()};
    std::vector<int> keep;
    for (Eigen::Index f = 0; f < sphere.F.rows(); ++f) {
      Eigen::Vector3d c = Eigen::Vector3d::Zero();
      for (int k = 0; k < 3; ++k) c += sphere.V.row(sphere.F(f, k)).transpose() / 3.0;
      bool hole = false;
      for (const auto& z : centres) hole = hole || (c - z).norm() < 0.25;
      if (!hole) keep.push_back(static_cast<int>(f));
    }
    holes.V = sphere.V;
    holes.F.resize(static_cast<Eigen::Index>(keep.size()), 3);
    for (size_t t = 0; t < keep.size(); ++t) holes.F.row(t) = sphere.F.row(keep[t]);
    remove_unreferenced(holes.V, holes.F);
  }
  out.push_back(holes);

  // A head-sized sphere and a small "eyeball" beside it.
  TestMesh two;
  two.name = "two components";
  two.components = 2;
  {
    const Eigen::Index n = sphere.V.rows();
    two.V.resize(2 * n, 3);
    two.V.topRows(n) = sphere.V;
    two.V.bottomRows(n) = (sphere.V * 0.3).rowwise() + Eigen::RowVector3d(2.0, 0.5, 0.0);
    two.F.resize(2 * sphere.F.rows(), 3);
    two.F.topRows(sphere.F.rows()) = sphere.F;
    two.F.bottomRows(sphere.F.rows()) = sphere.F.array() + static_cast<int>(n);
  }
  out.push_back(two);

  for (double s : {1e-3, 1e3}) {
    TestMesh scaled = sphere;
    scaled.name = s < 1 ? "sphere x1e-3" : "sphere x1e3";
    scaled.V *= s;
    out.push_back(scaled);
  }
  return out;
}

}  // namespace nfs::test
