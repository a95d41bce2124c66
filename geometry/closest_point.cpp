#include "geometry/closest_point.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace nfs {

namespace {

constexpr int kLeafSize = 4;

// Closest point on segment [a, b]: returns t ∈ [0, 1] of a + t (b - a).
double closest_on_segment(const Eigen::Vector3d& p, const Eigen::Vector3d& a,
                          const Eigen::Vector3d& b) {
  const Eigen::Vector3d ab = b - a;
  const double len2 = ab.squaredNorm();
  if (!(len2 > 0)) return 0.0;
  return std::clamp((p - a).dot(ab) / len2, 0.0, 1.0);
}

// A zero-area triangle: the best of its three edges.
Eigen::Vector3d closest_on_degenerate(const Eigen::Vector3d& p, const Eigen::Vector3d& a,
                                      const Eigen::Vector3d& b, const Eigen::Vector3d& c,
                                      Eigen::Vector3d& bary) {
  const Eigen::Vector3d* P[3] = {&a, &b, &c};
  double best = std::numeric_limits<double>::infinity();
  Eigen::Vector3d best_point = a;
  for (int e = 0; e < 3; ++e) {
    const int i = e, j = (e + 1) % 3;
    const double t = closest_on_segment(p, *P[i], *P[j]);
    const Eigen::Vector3d q = (1 - t) * *P[i] + t * *P[j];
    const double d = (q - p).squaredNorm();
    if (d < best) {
      best = d;
      best_point = q;
      bary.setZero();
      bary(i) = 1 - t;
      bary(j) = t;
    }
  }
  return best_point;
}

double box_sqr_distance(const float* lo, const float* hi, const Eigen::Vector3d& p) {
  double d = 0;
  for (int k = 0; k < 3; ++k) {
    const double e = std::max({double(lo[k]) - p(k), 0.0, p(k) - double(hi[k])});
    d += e * e;
  }
  return d;
}

double box_centre_sqr_distance(const float* lo, const float* hi, const Eigen::Vector3d& p) {
  double d = 0;
  for (int k = 0; k < 3; ++k) {
    const double e = 0.5 * (double(lo[k]) + double(hi[k])) - p(k);
    d += e * e;
  }
  return d;
}

}  // namespace

Eigen::Vector3d closest_point_on_triangle(const Eigen::Vector3d& p, const Eigen::Vector3d& a,
                                          const Eigen::Vector3d& b, const Eigen::Vector3d& c,
                                          Eigen::Vector3d& bary) {
  // Voronoi regions of the corners, then the edges, then the inside (Ericson §5.1.5).
  const Eigen::Vector3d ab = b - a, ac = c - a, ap = p - a;
  const double d1 = ab.dot(ap), d2 = ac.dot(ap);
  if (d1 <= 0 && d2 <= 0) {
    bary = {1, 0, 0};
    return a;
  }
  const Eigen::Vector3d bp = p - b;
  const double d3 = ab.dot(bp), d4 = ac.dot(bp);
  if (d3 >= 0 && d4 <= d3) {
    bary = {0, 1, 0};
    return b;
  }
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0 && d1 - d3 > 0) {
    const double v = d1 / (d1 - d3);
    bary = {1 - v, v, 0};
    return a + v * ab;
  }
  const Eigen::Vector3d cp = p - c;
  const double d5 = ab.dot(cp), d6 = ac.dot(cp);
  if (d6 >= 0 && d5 <= d6) {
    bary = {0, 0, 1};
    return c;
  }
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0 && d2 - d6 > 0) {
    const double w = d2 / (d2 - d6);
    bary = {1 - w, 0, w};
    return a + w * ac;
  }
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0 && (d4 - d3) + (d5 - d6) > 0) {
    const double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
    bary = {0, 1 - w, w};
    return b + w * (c - b);
  }
  const double denom = va + vb + vc;
  if (!(denom > 0) || !(ab.cross(ac).squaredNorm() > 0))
    return closest_on_degenerate(p, a, b, c, bary);
  const double v = vb / denom, w = vc / denom;
  bary = {1 - v - w, v, w};
  return a + v * ab + w * ac;
}

void ClosestPointTree::build(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F) {
  if (F.rows() < 1 || F.cols() != 3)
    throw std::invalid_argument("ClosestPointTree: need #F >= 1 triangles with 3 indices each");
  if (V.cols() != 3) throw std::invalid_argument("ClosestPointTree: V must be #V by 3");
  if (!V.allFinite()) throw std::invalid_argument("ClosestPointTree: non-finite vertex coordinate");
  if (F.minCoeff() < 0 || F.maxCoeff() >= V.rows())
    throw std::invalid_argument("ClosestPointTree: face index out of range [0, " +
                                std::to_string(V.rows()) + ")");
  const int nf = int(F.rows());
  std::vector<Eigen::Vector3d> centroid(nf);
  for (int f = 0; f < nf; ++f)
    centroid[f] = (V.row(F(f, 0)) + V.row(F(f, 1)) + V.row(F(f, 2))).transpose() / 3.0;
  std::vector<int> order(nf);
  for (int f = 0; f < nf; ++f) order[f] = f;
  nodes_.clear();
  nodes_.reserve(2 * (nf / kLeafSize + 1));
  build_node(0, nf, order, centroid, V, F);
  faces_ = order;
  slot_.resize(nf);
  for (int i = 0; i < nf; ++i) slot_[order[i]] = i;
  corners_.resize(3 * size_t(nf));
  for (int i = 0; i < nf; ++i)
    for (int k = 0; k < 3; ++k) corners_[3 * i + k] = V.row(F(order[i], k)).transpose();
}

int ClosestPointTree::build_node(int begin, int end, std::vector<int>& order,
                                 const std::vector<Eigen::Vector3d>& centroid,
                                 const Eigen::MatrixXd& V, const Eigen::MatrixXi& F) {
  const int id = int(nodes_.size());
  nodes_.emplace_back();
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector3d hi = -lo, clo = lo, chi = hi;
  for (int i = begin; i < end; ++i) {
    const int f = order[i];
    for (int k = 0; k < 3; ++k) {
      lo = lo.cwiseMin(V.row(F(f, k)).transpose());
      hi = hi.cwiseMax(V.row(F(f, k)).transpose());
    }
    clo = clo.cwiseMin(centroid[f]);
    chi = chi.cwiseMax(centroid[f]);
  }
  for (int k = 0; k < 3; ++k) {  // float box that contains the double one
    float l = float(lo(k)), h = float(hi(k));
    if (double(l) > lo(k)) l = std::nextafter(l, -std::numeric_limits<float>::infinity());
    if (double(h) < hi(k)) h = std::nextafter(h, std::numeric_limits<float>::infinity());
    nodes_[id].lo[k] = l;
    nodes_[id].hi[k] = h;
  }
  if (end - begin <= kLeafSize) {
    nodes_[id].begin = begin;
    nodes_[id].end = end;
    return id;
  }
  int axis = 0;
  (chi - clo).maxCoeff(&axis);
  const int mid = begin + (end - begin) / 2;
  std::nth_element(order.begin() + begin, order.begin() + mid, order.begin() + end,
                   [&](int a, int b) {
                     if (centroid[a](axis) != centroid[b](axis))
                       return centroid[a](axis) < centroid[b](axis);
                     return a < b;  // deterministic order among equal centroids
                   });
  const int left = build_node(begin, mid, order, centroid, V, F);
  const int right = build_node(mid, end, order, centroid, V, F);
  nodes_[id].left = left;
  nodes_[id].right = right;
  return id;
}

ClosestPointHit ClosestPointTree::query(const Eigen::Vector3d& p, double max_sqr_distance,
                                        int hint_face) const {
  ClosestPointHit hit;
  hit.sqr_distance = max_sqr_distance;
  if (nodes_.empty()) return hit;
  if (hint_face >= 0 && hint_face < int(slot_.size())) {
    const int i = slot_[hint_face];
    Eigen::Vector3d b;
    const Eigen::Vector3d q =
        closest_point_on_triangle(p, corners_[3 * i], corners_[3 * i + 1], corners_[3 * i + 2], b);
    const double d = (q - p).squaredNorm();
    if (d < hit.sqr_distance) hit = {hint_face, b, q, d};
  }
  // Depth-first, nearer child first; a balanced tree over < 2^31 triangles is < 64 levels deep,
  // and each level leaves at most one entry on the stack.
  struct Entry {
    int node;
    double d;
  };
  Entry stack[128];
  int top = 0;
  stack[top++] = {0, box_sqr_distance(nodes_[0].lo, nodes_[0].hi, p)};
  Eigen::Vector3d bary;
  while (top > 0) {
    const Entry e = stack[--top];
    if (e.d >= hit.sqr_distance) continue;
    const Node& n = nodes_[e.node];
    if (n.left < 0) {
      for (int i = n.begin; i < n.end; ++i) {
        const Eigen::Vector3d q = closest_point_on_triangle(p, corners_[3 * i], corners_[3 * i + 1],
                                                            corners_[3 * i + 2], bary);
        const double d = (q - p).squaredNorm();
        if (d < hit.sqr_distance) {
          hit.sqr_distance = d;
          hit.face = faces_[i];
          hit.bary = bary;
          hit.point = q;
        }
      }
      continue;
    }
    const Node& l = nodes_[n.left];
    const Node& r = nodes_[n.right];
    const double dl = box_sqr_distance(l.lo, l.hi, p);
    const double dr = box_sqr_distance(r.lo, r.hi, p);
    // A point inside both boxes (common near a curved surface) goes first to the child whose
    // box centre is nearer: it usually holds the closest triangle, which tightens the bound.
    const bool left_first =
        dl != dr ? dl < dr
                 : box_centre_sqr_distance(l.lo, l.hi, p) <= box_centre_sqr_distance(r.lo, r.hi, p);
    const Entry near = left_first ? Entry{n.left, dl} : Entry{n.right, dr};
    const Entry far = left_first ? Entry{n.right, dr} : Entry{n.left, dl};
    if (far.d < hit.sqr_distance) stack[top++] = far;
    if (near.d < hit.sqr_distance) stack[top++] = near;
  }
  if (hit.face < 0) hit.sqr_distance = std::numeric_limits<double>::infinity();
  return hit;
}

void closest_points(const ClosestPointTree& tree, const Eigen::MatrixXd& P, Eigen::VectorXd& sqrD,
                    Eigen::VectorXi& I, Eigen::MatrixXd& C, Eigen::MatrixXd& B) {
  if (P.cols() != 3) throw std::invalid_argument("closest_points: P must be #P by 3");
  if (tree.empty()) throw std::invalid_argument("closest_points: the tree is empty (not built)");
  const Eigen::Index n = P.rows();
  sqrD.resize(n);
  I.resize(n);
  C.resize(n, 3);
  B.resize(n, 3);
  // Queries in Morton (Z-curve) order: neighbours in space reuse the same tree nodes while
  // they are in cache, which matters once the tree outgrows the cache (> ~50k triangles).
  std::vector<std::pair<uint64_t, Eigen::Index>> order(n);
  if (n > 0) {
    const Eigen::RowVector3d lo = P.colwise().minCoeff(), hi = P.colwise().maxCoeff();
    const double extent = std::max((hi - lo).maxCoeff(), 1e-300);
    for (Eigen::Index i = 0; i < n; ++i) {
      uint64_t code = 0;
      uint32_t cell[3];
      for (int k = 0; k < 3; ++k) {
        const double u = std::isfinite(P(i, k)) ? (P(i, k) - lo(k)) / extent : 0.0;
        cell[k] = uint32_t(std::clamp(u, 0.0, 1.0) * 2097151.0);  // 21 bits
      }
      for (int b = 20; b >= 0; --b)
        for (int k = 0; k < 3; ++k) code = (code << 1) | ((cell[k] >> b) & 1u);
      order[i] = {code, i};
    }
    std::sort(order.begin(), order.end());
  }
  for (const auto& [code, i] : order) {
    const ClosestPointHit h = tree.query(P.row(i).transpose());
    sqrD(i) = h.sqr_distance;
    I(i) = h.face;
    C.row(i) = h.point.transpose();
    B.row(i) = h.bary.transpose();
  }
}

}  // namespace nfs
