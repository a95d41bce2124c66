#include "geometry/check_mesh.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace nfs::geo {
namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::runtime_error(name + ": " + what);
}

int find_root(std::vector<int>& parent, int x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

}  // namespace

void check_mesh(const std::string& name, const Eigen::MatrixXd& V, const Eigen::MatrixXi& F,
                Eigen::MatrixXi& F_kept, Eigen::VectorXi& kept, MeshCheckReport& report) {
  report = MeshCheckReport();
  const int nv = static_cast<int>(V.rows()), nf = static_cast<int>(F.rows());
  report.num_vertices = nv;
  report.num_triangles = nf;
  if (nv == 0) fail(name, "no vertices (not a mesh)");
  if (V.cols() != 3) fail(name, "vertex positions must have 3 columns");
  if (nf == 0) fail(name, "no faces (a point cloud or an empty mesh)");
  if (F.cols() != 3) fail(name, "faces must be triangles (3 columns)");
  for (int i = 0; i < nv; ++i)
    if (!V.row(i).allFinite())
      fail(name, "vertex " + std::to_string(i + 1) + " has a non-finite coordinate");
  for (int f = 0; f < nf; ++f)
    for (int k = 0; k < 3; ++k)
      if (F(f, k) < 0 || F(f, k) >= nv)
        fail(name, "triangle " + std::to_string(f + 1) + " refers to vertex " +
                       std::to_string(F(f, k) + 1) + " of " + std::to_string(nv));

  // Degenerate triangles: a repeated vertex, or (numerically) zero area.
  std::vector<int> keep;
  keep.reserve(nf);
  for (int f = 0; f < nf; ++f) {
    const int a = F(f, 0), b = F(f, 1), c = F(f, 2);
    if (a == b || b == c || a == c) continue;
    const Eigen::Vector3d e0 = V.row(b) - V.row(a), e1 = V.row(c) - V.row(b),
                          e2 = V.row(a) - V.row(c);
    const double longest = std::max({e0.squaredNorm(), e1.squaredNorm(), e2.squaredNorm()});
    if (!(e0.cross(-e2).norm() > kDegenerateRatio * longest)) continue;
    keep.push_back(f);
  }
  report.degenerate_dropped = nf - static_cast<int>(keep.size());
  if (keep.empty()) fail(name, "every triangle is degenerate (repeated vertex or zero area)");
  if (report.degenerate_dropped > 0)
    report.warnings.push_back(name + ": dropped " + std::to_string(report.degenerate_dropped) +
                              " degenerate triangle(s) (repeated vertex or zero area)");
  const int nk = static_cast<int>(keep.size());
  F_kept.resize(nk, 3);
  kept.resize(nk);
  for (int t = 0; t < nk; ++t) {
    F_kept.row(t) = F.row(keep[t]);
    kept(t) = keep[t];
  }

  // Isolated vertices and connected components (union-find over triangle vertices).
  std::vector<int> parent(nv);
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<char> used(nv, 0);
  for (int t = 0; t < nk; ++t)
    for (int k = 0; k < 3; ++k) {
      used[F_kept(t, k)] = 1;
      const int ra = find_root(parent, F_kept(t, k)),
                rb = find_root(parent, F_kept(t, (k + 1) % 3));
      if (ra != rb) parent[ra] = rb;
    }
  for (int i = 0; i < nv; ++i) {
    if (!used[i])
      report.isolated_vertices.push_back(i);
    else if (find_root(parent, i) == i)
      ++report.components;
  }
  if (!report.isolated_vertices.empty())
    report.warnings.push_back(name + ": " + std::to_string(report.isolated_vertices.size()) +
                              " isolated vertex(es) in no triangle (first: vertex " +
                              std::to_string(report.isolated_vertices[0] + 1) +
                              "); kept, but they take no part in the operators");

  // Edge multiplicities: sort directed half-edges by their undirected key.
  std::vector<std::tuple<int, int, int>> half;  // (min, max, +1 if min->max else -1)
  half.reserve(static_cast<size_t>(nk) * 3);
  for (int t = 0; t < nk; ++t)
    for (int k = 0; k < 3; ++k) {
      const int a = F_kept(t, k), b = F_kept(t, (k + 1) % 3);
      half.emplace_back(std::min(a, b), std::max(a, b), a < b ? 1 : -1);
    }
  std::sort(half.begin(), half.end());
  int first_nm_a = -1, first_nm_b = -1;
  for (size_t i = 0; i < half.size();) {
    size_t j = i;
    int forward = 0;
    while (j < half.size() && std::get<0>(half[j]) == std::get<0>(half[i]) &&
           std::get<1>(half[j]) == std::get<1>(half[i])) {
      forward += std::get<2>(half[j]) > 0;
      ++j;
    }
    const size_t count = j - i;
    if (count == 1) ++report.boundary_edges;
    if (count == 2 && forward != 1) ++report.misoriented_edges;
    if (count > 2) {
      if (report.non_manifold_edges == 0) {
        first_nm_a = std::get<0>(half[i]);
        first_nm_b = std::get<1>(half[i]);
      }
      ++report.non_manifold_edges;
    }
    i = j;
  }
  if (report.non_manifold_edges > 0)
    report.warnings.push_back(
        name + ": " + std::to_string(report.non_manifold_edges) +
        " non-manifold edge(s) in more than two triangles (first: " + "vertices " +
        std::to_string(first_nm_a + 1) + "-" + std::to_string(first_nm_b + 1) + ")");
  if (report.misoriented_edges > 0)
    report.warnings.push_back(name + ": " + std::to_string(report.misoriented_edges) +
                              " edge(s) between triangles of opposite orientation (normals may " +
                              "flip there)");
}

}  // namespace nfs::geo
