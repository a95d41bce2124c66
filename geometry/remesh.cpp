#include "geometry/remesh.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "geometry/closest_point.h"
#include "geometry/splitmix64.h"

namespace nfs {

namespace {

using Vec3 = Eigen::Vector3d;


uint64_t edge_key(int u, int v) {
  return (uint64_t(uint32_t(u)) << 32) | uint32_t(v);
}

// ---- the old mesh: normals, sizing, boundary loops, closest points ----------------------------

struct BoundaryLoop {
  std::vector<int> verts;   // old vertices in boundary order (the faces' orientation)
  std::vector<double> cum;  // arc length at verts[j]; one more entry: cum.back() = length
  std::vector<int> face;    // old face holding the boundary edge verts[j] → verts[j+1]
  std::vector<int> corner;  // local corner of verts[j] in face[j] (verts[j+1] is the next one)
  double length() const { return cum.back(); }
};

struct OldMesh {
  const Eigen::MatrixXd& V;
  const Eigen::MatrixXi& F;
  Eigen::MatrixXd N;  // #V by 3 area-weighted unit vertex normals
  Eigen::VectorXd H;  // #V local edge length, smoothed: the sizing field
  std::vector<BoundaryLoop> loops;
  std::vector<int> loop_of;        // per old vertex: its loop, -1 inside
  std::vector<int> index_in_loop;  // per old vertex: j with loops[loop_of].verts[j] == it
  std::vector<int> face_of;        // per old vertex: a face holding it (-1: unused vertex)
  ClosestPointTree tree;
  int euler = 0;  // V - E + F over the vertices that faces use

  OldMesh(const Eigen::MatrixXd& V_, const Eigen::MatrixXi& F_) : V(V_), F(F_) {}

  template <class M>
  Vec3 interpolate(const M& X, int f, const Vec3& b) const {
    return b(0) * X.row(F(f, 0)).transpose() + b(1) * X.row(F(f, 1)).transpose() +
           b(2) * X.row(F(f, 2)).transpose();
  }
  Vec3 point_at(int f, const Vec3& b) const { return interpolate(V, f, b); }
  Vec3 normal_at(int f, const Vec3& b) const {
    const Vec3 n = interpolate(N, f, b);
    const double len = n.norm();
    return len > 0 ? Vec3(n / len) : Vec3(0, 0, 0);
  }
  double size_at(int f, const Vec3& b) const {
    return b(0) * H(F(f, 0)) + b(1) * H(F(f, 1)) + b(2) * H(F(f, 2));
  }
  // Arc length t (any real: wrapped) on loop l → edge index and fraction along it.
  void boundary_edge(int l, double t, int& e, double& s) const {
    const BoundaryLoop& L = loops[l];
    t -= std::floor(t / L.length()) * L.length();
    e = int(std::upper_bound(L.cum.begin(), L.cum.end(), t) - L.cum.begin()) - 1;
    e = std::clamp(e, 0, int(L.verts.size()) - 1);
    const double len = L.cum[e + 1] - L.cum[e];
    s = len > 0 ? std::clamp((t - L.cum[e]) / len, 0.0, 1.0) : 0.0;
  }
  // Arc length t on loop l → old face and barycentric coordinates.
  void boundary_at(int l, double t, int& f, Vec3& b) const {
    int e;
    double s;
    boundary_edge(l, t, e, s);
    const BoundaryLoop& L = loops[l];
    f = L.face[e];
    b.setZero();
    b(L.corner[e]) = 1 - s;
    b((L.corner[e] + 1) % 3) = s;
  }
};

void prepare_old_mesh(OldMesh& m) {
  const Eigen::MatrixXd& V = m.V;
  const Eigen::MatrixXi& F = m.F;
  const int nv = int(V.rows()), nf = int(F.rows());
  if (V.cols() != 3 || F.cols() != 3 || nf < 1)
    throw std::invalid_argument("remesh: need V #V by 3 and F #F by 3 with #F >= 1");
  if (!V.allFinite()) throw std::invalid_argument("remesh: non-finite vertex coordinate");
  if (F.minCoeff() < 0 || F.maxCoeff() >= nv)
    throw std::invalid_argument("remesh: face index out of range");
  // Directed edges: each at most once (edge-manifold, consistently oriented).
  std::unordered_map<uint64_t, int> half;  // u→v → face
  half.reserve(size_t(3 * nf) * 2);
  for (int f = 0; f < nf; ++f)
    for (int k = 0; k < 3; ++k) {
      const int u = F(f, k), v = F(f, (k + 1) % 3);
      if (u == v)
        throw std::invalid_argument("remesh: face " + std::to_string(f) + " repeats a vertex");
      if (!half.emplace(edge_key(u, v), f).second)
        throw std::invalid_argument("remesh: edge " + std::to_string(u) + "-" + std::to_string(v) +
                                    " is non-manifold or inconsistently oriented");
    }
  // Boundary: u→v without v→u; each boundary vertex starts exactly one boundary edge.
  std::vector<int> next(nv, -1), next_face(nv, -1), next_corner(nv, -1);
  int boundary_edges = 0;
  for (int f = 0; f < nf; ++f)
    for (int k = 0; k < 3; ++k) {
      const int u = F(f, k), v = F(f, (k + 1) % 3);
      if (half.count(edge_key(v, u))) continue;
      if (next[u] >= 0)
        throw std::invalid_argument("remesh: vertex " + std::to_string(u) +
                                    " lies on two boundary loops (non-manifold vertex)");
      next[u] = v;
      next_face[u] = f;
      next_corner[u] = k;
      ++boundary_edges;
    }
  m.loop_of.assign(nv, -1);
  m.index_in_loop.assign(nv, -1);
  for (int s = 0; s < nv; ++s) {
    if (next[s] < 0 || m.loop_of[s] >= 0) continue;
    BoundaryLoop L;
    const int id = int(m.loops.size());
    L.cum.push_back(0.0);
    for (int u = s;;) {
      m.loop_of[u] = id;
      m.index_in_loop[u] = int(L.verts.size());
      L.verts.push_back(u);
      L.face.push_back(next_face[u]);
      L.corner.push_back(next_corner[u]);
      const int v = next[u];
      L.cum.push_back(L.cum.back() + (V.row(v) - V.row(u)).norm());
      if (v == s) break;
      if (next[v] < 0 || m.loop_of[v] >= 0)
        throw std::invalid_argument("remesh: the boundary is not a set of simple loops");
      u = v;
    }
    if (!(L.length() > 0)) throw std::invalid_argument("remesh: a boundary loop has zero length");
    m.loops.push_back(std::move(L));
  }
  // Area-weighted vertex normals (cross products are twice the areas), local edge lengths.
  m.N = Eigen::MatrixXd::Zero(nv, 3);
  m.H = Eigen::VectorXd::Zero(nv);
  Eigen::VectorXd count = Eigen::VectorXd::Zero(nv);
  m.face_of.assign(nv, -1);
  for (int f = 0; f < nf; ++f) {
    const Vec3 a = V.row(F(f, 0)), b = V.row(F(f, 1)), c = V.row(F(f, 2));
    const Vec3 n = (b - a).cross(c - a);
    const double len[3] = {(b - a).norm(), (c - b).norm(), (a - c).norm()};
    for (int k = 0; k < 3; ++k) {
      const int i = F(f, k);
      m.N.row(i) += n.transpose();
      m.face_of[i] = f;
      m.H(i) += len[k] + len[(k + 2) % 3];
      count(i) += 2;
    }
  }
  int nused = 0;
  for (int i = 0; i < nv; ++i) {
    const double len = m.N.row(i).norm();
    if (len > 0) m.N.row(i) /= len;
    if (count(i) > 0) {
      m.H(i) /= count(i);
      ++nused;
    }
  }
  for (int pass = 0; pass < 3; ++pass) {  // smooth the sizing over 1-rings
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(nv), n = Eigen::VectorXd::Zero(nv);
    for (int f = 0; f < nf; ++f)
      for (int k = 0; k < 3; ++k)
        for (int j = 1; j < 3; ++j) {
          sum(F(f, k)) += m.H(F(f, (k + j) % 3));
          n(F(f, k)) += 1;
        }
    for (int i = 0; i < nv; ++i)
      if (n(i) > 0) m.H(i) = 0.5 * m.H(i) + 0.5 * sum(i) / n(i);
  }
  if (!(m.H.maxCoeff() > 0)) throw std::invalid_argument("remesh: every triangle is degenerate");
  const int edges = (int(half.size()) - boundary_edges) / 2 + boundary_edges;
  m.euler = nused - edges + nf;
  m.tree.build(V, F);
}

// ---- the new mesh: half-edges over a growing/shrinking triangle list --------------------------

struct NewMesh {
  std::vector<std::array<int, 3>> F;
  std::vector<char> face_dead;
  std::vector<int> opp;  // per half-edge 3f+k (F[f][k] → F[f][k+1]): its twin, -1 on a boundary
  // Per vertex.
  std::vector<char> dead;
  std::vector<int> out;             // an outgoing half-edge; on a boundary the boundary one
  std::vector<int> valence;         // neighbours
  std::vector<int> next_b, prev_b;  // boundary neighbours, -1 inside
  std::vector<int> face;            // old face holding the vertex
  std::vector<Vec3> bary, P, N;     // its barycentric coordinates there, position, old normal
  std::vector<double> size;         // sizing field there
  std::vector<int> loop;            // old boundary loop, -1 inside
  std::vector<double> t;            // arc length on that loop

  static int nxt(int h) { return h - h % 3 + (h % 3 + 1) % 3; }
  static int prv(int h) { return h - h % 3 + (h % 3 + 2) % 3; }
  int from(int h) const { return F[h / 3][h % 3]; }
  int to(int h) const { return F[h / 3][(h % 3 + 1) % 3]; }
  int num_vertices() const { return int(P.size()); }
  bool boundary(int v) const { return next_b[v] >= 0; }

  // Calls fn(h) for every half-edge leaving v, in fan order.
  template <class Fn>
  void for_each_out(int v, Fn fn) const {
    const int start = out[v];
    int h = start;
    do {
      fn(h);
      const int o = opp[prv(h)];
      if (o < 0) break;
      h = o;
    } while (h != start);
  }
  // Neighbours of v (the fan's targets, plus the previous boundary vertex).
  void neighbours(int v, std::vector<int>& n) const {
    n.clear();
    for_each_out(v, [&](int h) { n.push_back(to(h)); });
    if (prev_b[v] >= 0) n.push_back(prev_b[v]);
  }
  bool has_edge(int u, int v) const {
    bool found = prev_b[u] == v;
    for_each_out(u, [&](int h) { found = found || to(h) == v; });
    return found;
  }
  // out[v] = h, turned back to the boundary half-edge when v is on a boundary.
  void set_out(int v, int h) {
    if (boundary(v))
      while (opp[h] >= 0) h = nxt(opp[h]);
    out[v] = h;
  }
  void link(int x, int y) {
    if (x >= 0) opp[x] = y;
    if (y >= 0) opp[y] = x;
  }
  int add_vertex() {
    dead.push_back(0);
    out.push_back(-1);
    valence.push_back(0);
    next_b.push_back(-1);
    prev_b.push_back(-1);
    face.push_back(-1);
    bary.emplace_back(0, 0, 0);
    P.emplace_back(0, 0, 0);
    N.emplace_back(0, 0, 0);
    size.push_back(0);
    loop.push_back(-1);
    t.push_back(0);
    return int(P.size()) - 1;
  }
  int add_face() {
    F.push_back({-1, -1, -1});
    face_dead.push_back(0);
    opp.insert(opp.end(), {-1, -1, -1});
    return int(F.size()) - 1;
  }
};

void place(NewMesh& m, const OldMesh& old, int v, int f, const Vec3& b) {
  m.face[v] = f;
  m.bary[v] = b;
  m.P[v] = old.point_at(f, b);
  m.N[v] = old.normal_at(f, b);
  m.size[v] = old.size_at(f, b);
}

// The old mesh itself, as the starting mesh.
void start_from_old(NewMesh& m, const OldMesh& old) {
  const int nv = int(old.V.rows()), nf = int(old.F.rows());
  std::vector<int> index(nv, -1);
  for (int i = 0; i < nv; ++i) {
    if (old.face_of[i] < 0) continue;  // unused old vertex
    const int v = m.add_vertex();
    index[i] = v;
    const int f = old.face_of[i];
    Vec3 b(0, 0, 0);
    for (int k = 0; k < 3; ++k)
      if (old.F(f, k) == i) b(k) = 1;
    place(m, old, v, f, b);
    if (old.loop_of[i] >= 0) {
      m.loop[v] = old.loop_of[i];
      m.t[v] = old.loops[m.loop[v]].cum[old.index_in_loop[i]];
    }
  }
  std::unordered_map<uint64_t, int> half;
  half.reserve(size_t(3 * nf) * 2);
  for (int f = 0; f < nf; ++f) {
    m.add_face();
    for (int k = 0; k < 3; ++k) m.F[f][k] = index[old.F(f, k)];
    for (int k = 0; k < 3; ++k) half.emplace(edge_key(m.F[f][k], m.F[f][(k + 1) % 3]), 3 * f + k);
  }
  for (int h = 0; h < 3 * nf; ++h) {
    auto it = half.find(edge_key(m.to(h), m.from(h)));
    m.opp[h] = it == half.end() ? -1 : it->second;
    if (m.opp[h] < 0) {
      m.next_b[m.from(h)] = m.to(h);
      m.prev_b[m.to(h)] = m.from(h);
    }
  }
  // out: the boundary half-edge where there is one (a walk from it sees the whole fan).
  std::vector<int> faces_at(m.num_vertices(), 0);
  for (int h = 0; h < 3 * nf; ++h) {
    const int v = m.from(h);
    if (m.out[v] < 0 || m.opp[h] < 0) m.out[v] = h;
    ++faces_at[v];
  }
  std::vector<int> n;
  for (int v = 0; v < m.num_vertices(); ++v) {
    int fan = 0;
    m.for_each_out(v, [&](int) { ++fan; });
    if (fan != faces_at[v])  // two fans meeting at one vertex
      throw std::invalid_argument("remesh: non-manifold vertex (several fans of faces meet there)");
    m.neighbours(v, n);
    m.valence[v] = int(n.size());
  }
}

double triangle_quality(const Vec3& a, const Vec3& b, const Vec3& c) {
  // 4√3·area / Σ edge²: 1 for equilateral, 0 for degenerate.
  const double s = (b - a).squaredNorm() + (c - b).squaredNorm() + (a - c).squaredNorm();
  return s > 0 ? 2.0 * std::sqrt(3.0) * (b - a).cross(c - a).norm() / s : 0.0;
}

// How well triangle (a, b, c) faces like the old surface under it: cosine between its normal and
// the mean old normal at its corners (−1 when degenerate).
double facing(const Vec3& a, const Vec3& b, const Vec3& c, const Vec3& na, const Vec3& nb,
              const Vec3& nc) {
  const Vec3 n = (b - a).cross(c - a);
  const Vec3 s = na + nb + nc;
  const double d = n.norm() * s.norm();
  return d > 0 ? n.dot(s) / d : -1.0;
}

double cotangent(const Vec3& apex, const Vec3& p, const Vec3& q) {
  const Vec3 u = p - apex, v = q - apex;
  const double c = u.cross(v).norm();
  return c > 0 ? u.dot(v) / c : -1e30;  // degenerate: a huge angle
}

double positive_mod(double x, double L) {
  return x - std::floor(x / L) * L;
}

// The old-surface point nearest p; `hint` (the old face of a vertex nearby) speeds it up.
ClosestPointHit project(const OldMesh& old, const Vec3& p, int hint) {
  return old.tree.query(p, std::numeric_limits<double>::infinity(), hint);
}

// ---- local operations --------------------------------------------------------------------------

// Splits the edge of half-edge h at its midpoint on the old surface. False if that point is on
// another sheet of the old surface (the edge stays).
bool split_edge(NewMesh& m, const OldMesh& old, int h) {
  const int a = m.from(h), b = m.to(h), g = m.opp[h];
  int f_old;
  Vec3 bary;
  double t = 0;
  if (g < 0) {  // boundary edge a → b: arc-length midpoint on the old loop
    const double L = old.loops[m.loop[a]].length();
    t = m.t[a] + 0.5 * positive_mod(m.t[b] - m.t[a], L);
    old.boundary_at(m.loop[a], t, f_old, bary);
  } else {
    const ClosestPointHit hit = project(old, 0.5 * (m.P[a] + m.P[b]), m.face[a]);
    if (old.normal_at(hit.face, hit.bary).dot((m.N[a] + m.N[b]).normalized()) < 0.3) return false;
    f_old = hit.face;
    bary = hit.bary;
  }
  // The new triangles must face like the old surface (as much as the old ones did).
  {
    const Vec3 p = old.point_at(f_old, bary), n = old.normal_at(f_old, bary);
    const int c = m.to(NewMesh::nxt(h)), d = g >= 0 ? m.to(NewMesh::nxt(g)) : -1;
    double before = facing(m.P[a], m.P[b], m.P[c], m.N[a], m.N[b], m.N[c]);
    double after = std::min(facing(m.P[a], p, m.P[c], m.N[a], n, m.N[c]),
                            facing(p, m.P[b], m.P[c], n, m.N[b], m.N[c]));
    if (d >= 0) {
      before = std::min(before, facing(m.P[b], m.P[a], m.P[d], m.N[b], m.N[a], m.N[d]));
      after = std::min({after, facing(m.P[b], p, m.P[d], m.N[b], n, m.N[d]),
                        facing(p, m.P[a], m.P[d], n, m.N[a], m.N[d])});
    }
    if (after < std::min(0.2, before)) return false;
  }
  const int mv = m.add_vertex();
  place(m, old, mv, f_old, bary);
  const int f = h / 3;
  const int c = m.to(NewMesh::nxt(h));
  const int h_bc = NewMesh::nxt(h), h_ca = NewMesh::prv(h);
  const int o_bc = m.opp[h_bc], o_ca = m.opp[h_ca];
  const int g1 = m.add_face();
  m.F[f] = {a, mv, c};
  m.F[g1] = {mv, b, c};
  m.link(3 * f + 1, 3 * g1 + 2);
  m.link(3 * f + 2, o_ca);
  m.link(3 * g1 + 1, o_bc);
  if (m.out[a] == h) m.out[a] = 3 * f + 0;
  if (m.out[b] == h_bc) m.out[b] = 3 * g1 + 1;
  if (m.out[c] == h_ca) m.out[c] = 3 * f + 2;
  ++m.valence[c];
  if (g < 0) {
    m.link(3 * f + 0, -1);
    m.link(3 * g1 + 0, -1);
    m.loop[mv] = m.loop[a];
    m.t[mv] = t;
    m.next_b[a] = mv;
    m.prev_b[mv] = a;
    m.next_b[mv] = b;
    m.prev_b[b] = mv;
    m.out[mv] = 3 * g1 + 0;  // mv → b, the boundary half-edge
    m.valence[mv] = 3;
    return true;
  }
  // The twin face (b, a, d) → (b, mv, d) and (mv, a, d).
  const int f2 = g / 3;
  const int d = m.to(NewMesh::nxt(g));
  const int h_ad = NewMesh::nxt(g), h_db = NewMesh::prv(g);
  const int o_ad = m.opp[h_ad], o_db = m.opp[h_db];
  const int g2 = m.add_face();
  m.F[f2] = {b, mv, d};
  m.F[g2] = {mv, a, d};
  m.link(3 * f + 0, 3 * g2 + 0);
  m.link(3 * g1 + 0, 3 * f2 + 0);
  m.link(3 * f2 + 1, 3 * g2 + 2);
  m.link(3 * f2 + 2, o_db);
  m.link(3 * g2 + 1, o_ad);
  if (m.out[b] == g) m.out[b] = 3 * f2 + 0;
  if (m.out[a] == h_ad) m.out[a] = 3 * g2 + 1;
  if (m.out[d] == h_db) m.out[d] = 3 * f2 + 2;
  m.out[mv] = 3 * g1 + 0;
  m.valence[mv] = 4;
  ++m.valence[d];
  return true;
}

// Collapses the edge of half-edge h by removing vertex r (one of its ends) into the other, k,
// which keeps its place. Refused when it would change the topology (link condition, an interior
// edge between two boundary vertices, a boundary loop of 3), move the boundary (r on it, k not),
// leave a vertex of valence < 3, make an edge longer than `max_length` times the target, or turn
// a triangle away from the old surface. Lenient (sliver removal): the topology checks, then only
// "the worst triangle around gets better and none turns over".
// nr, nk: scratch buffers.
bool collapse_edge(NewMesh& m, int h, int r, double max_length, double kappa, std::vector<int>& nr,
                   std::vector<int>& nk, bool lenient = false) {
  const int u = m.from(h), v = m.to(h), g = m.opp[h];
  const int k = r == u ? v : u;
  const bool rb = m.boundary(r), kb = m.boundary(k);
  if (rb && !kb) return false;
  if (rb && kb && g >= 0) return false;
  if (g < 0 && m.next_b[m.next_b[m.next_b[u]]] == u) return false;
  const int x = m.to(NewMesh::nxt(h)), y = g >= 0 ? m.to(NewMesh::nxt(g)) : -1;
  if (m.valence[x] <= 3 || (y >= 0 && m.valence[y] <= 3)) return false;
  m.neighbours(r, nr);
  m.neighbours(k, nk);
  int common = 0;
  for (int a : nr)
    for (int b : nk) common += a == b;
  const int expected = g >= 0 ? 2 : 1;
  if (common != expected) return false;
  if (m.valence[u] + m.valence[v] - common - 2 < 3) return false;
  bool ok = true;
  if (!lenient) {
    for (int a : nr) {
      if (a == k) continue;
      const double limit = max_length * kappa * 0.5 * (m.size[k] + m.size[a]);
      if ((m.P[k] - m.P[a]).squaredNorm() > limit * limit) return false;
    }
    m.for_each_out(r, [&](int e) {
      const int a = m.to(e), b = m.to(NewMesh::nxt(e));
      if (a == k || b == k) return;  // a face that disappears
      const double before = facing(m.P[r], m.P[a], m.P[b], m.N[r], m.N[a], m.N[b]);
      const double after = facing(m.P[k], m.P[a], m.P[b], m.N[k], m.N[a], m.N[b]);
      if (after < std::min(0.2, before)) ok = false;
    });
  } else {  // sliver removal: the worst triangle around gets better, none turns over
    double before = 1e30, after = 1e30;
    for (int w : {r, k})
      m.for_each_out(w, [&](int e) {
        before =
            std::min(before, triangle_quality(m.P[w], m.P[m.to(e)], m.P[m.to(NewMesh::nxt(e))]));
      });
    m.for_each_out(r, [&](int e) {
      const int a = m.to(e), b = m.to(NewMesh::nxt(e));
      if (a == k || b == k) return;
      const Vec3 n0 = (m.P[a] - m.P[r]).cross(m.P[b] - m.P[r]);
      const Vec3 n1 = (m.P[a] - m.P[k]).cross(m.P[b] - m.P[k]);
      if (n0.dot(n1) <= 0) ok = false;
      after = std::min(after, triangle_quality(m.P[k], m.P[a], m.P[b]));
    });
    m.for_each_out(k, [&](int e) {
      const int a = m.to(e), b = m.to(NewMesh::nxt(e));
      if (a == r || b == r) return;
      after = std::min(after, triangle_quality(m.P[k], m.P[a], m.P[b]));
    });
    if (after <= before) ok = false;
  }
  if (!ok) return false;

  // Faces (u, v, x) and (v, u, y) disappear; their outer edges x–u, x–v (and y–u, y–v) merge.
  std::vector<int>& fan = nr;  // reuse: r's outgoing half-edges
  fan.clear();
  m.for_each_out(r, [&](int e) { fan.push_back(e); });
  const int fa = h / 3, fb = g >= 0 ? g / 3 : -1;
  const int o1 = m.opp[NewMesh::nxt(h)], o2 = m.opp[NewMesh::prv(h)];
  const int p1 = g >= 0 ? m.opp[NewMesh::nxt(g)] : -1, p2 = g >= 0 ? m.opp[NewMesh::prv(g)] : -1;
  if (g < 0) {  // boundary edge u → v
    if (r == u) {
      const int p = m.prev_b[u];
      m.next_b[p] = v;
      m.prev_b[v] = p;
    } else {
      const int n = m.next_b[v];
      m.prev_b[n] = u;
      m.next_b[u] = n;
    }
  }
  for (int e : fan) {
    const int f = e / 3;
    if (f == fa || f == fb) continue;
    m.F[f][e % 3] = k;
  }
  m.link(o1, o2);
  if (g >= 0) m.link(p1, p2);
  m.face_dead[fa] = 1;
  if (fb >= 0) m.face_dead[fb] = 1;
  m.dead[r] = 1;
  m.next_b[r] = m.prev_b[r] = -1;
  // Outgoing half-edges for k, x, y that live on (o2 = k→x, o1 = x→k, p2 = k→y, p1 = y→k).
  m.set_out(k, o2 >= 0 ? o2 : o1 >= 0 ? NewMesh::nxt(o1) : p2 >= 0 ? p2 : NewMesh::nxt(p1));
  m.set_out(x, o1 >= 0 ? o1 : NewMesh::nxt(o2));
  if (y >= 0) m.set_out(y, p1 >= 0 ? p1 : NewMesh::nxt(p2));
  m.valence[k] = m.valence[u] + m.valence[v] - common - 2;
  --m.valence[x];
  if (y >= 0) --m.valence[y];
  return true;
}

bool rewire_flip(NewMesh& m, int h);

// Flips the edge of h if the angles opposite it sum to more than π (Delaunay), the flip keeps
// ridges (no new crease sharper than the old one, or than ~37°) and orientation. Lenient: if it
// improves the worse of the two triangles and turns neither over (sliver removal).
bool flip_edge(NewMesh& m, int h, bool lenient = false) {
  const int g = m.opp[h];
  if (g < 0) return false;
  const int a = m.from(h), b = m.to(h);
  const int c = m.to(NewMesh::nxt(h)), d = m.to(NewMesh::nxt(g));
  if (c == d || m.valence[a] <= 3 || m.valence[b] <= 3) return false;
  const Vec3 &A = m.P[a], &B = m.P[b], &C = m.P[c], &D = m.P[d];
  if (lenient) {  // sliver removal: better worst triangle, neither new one turned over
    const Vec3 n = (B - A).cross(C - A).normalized() + (A - B).cross(D - B).normalized();
    if (std::min(triangle_quality(A, D, C), triangle_quality(B, C, D)) <=
            std::min(triangle_quality(A, B, C), triangle_quality(B, A, D)) ||
        (D - A).cross(C - A).dot(n) <= 0 || (C - B).cross(D - B).dot(n) <= 0 || m.has_edge(c, d))
      return false;
    return rewire_flip(m, h);
  }
  if (cotangent(C, A, B) + cotangent(D, B, A) >= -1e-9) return false;  // already Delaunay
  if (m.has_edge(c, d)) return false;
  const double old_facing =
      std::min(facing(A, B, C, m.N[a], m.N[b], m.N[c]), facing(B, A, D, m.N[b], m.N[a], m.N[d]));
  const double new_facing =
      std::min(facing(A, D, C, m.N[a], m.N[d], m.N[c]), facing(B, C, D, m.N[b], m.N[c], m.N[d]));
  if (new_facing < std::min(0.2, old_facing)) return false;
  const Vec3 n1 = (B - A).cross(C - A).normalized(), n2 = (A - B).cross(D - B).normalized();
  const Vec3 n1f = (D - A).cross(C - A).normalized(), n2f = (C - B).cross(D - B).normalized();
  if (n1f.dot(n2f) < std::min(0.8, n1.dot(n2))) return false;
  return rewire_flip(m, h);
}

// f = (a, b, c), f2 = (b, a, d)  →  f = (a, d, c), f2 = (b, c, d).
bool rewire_flip(NewMesh& m, int h) {
  const int g = m.opp[h];
  const int f = h / 3, f2 = g / 3;
  const int a = m.from(h), b = m.to(h);
  const int c = m.to(NewMesh::nxt(h)), d = m.to(NewMesh::nxt(g));
  const int h_bc = NewMesh::nxt(h), h_ca = NewMesh::prv(h);
  const int h_ad = NewMesh::nxt(g), h_db = NewMesh::prv(g);
  const int o_bc = m.opp[h_bc], o_ca = m.opp[h_ca], o_ad = m.opp[h_ad], o_db = m.opp[h_db];
  m.F[f] = {a, d, c};
  m.F[f2] = {b, c, d};
  m.link(3 * f + 0, o_ad);
  m.link(3 * f + 1, 3 * f2 + 1);
  m.link(3 * f + 2, o_ca);
  m.link(3 * f2 + 0, o_bc);
  m.link(3 * f2 + 2, o_db);
  if (m.out[a] == h || m.out[a] == h_ad) m.out[a] = 3 * f + 0;
  if (m.out[b] == g || m.out[b] == h_bc) m.out[b] = 3 * f2 + 0;
  if (m.out[c] == h_ca) m.out[c] = 3 * f + 2;
  if (m.out[d] == h_db) m.out[d] = 3 * f2 + 2;
  --m.valence[a];
  --m.valence[b];
  ++m.valence[c];
  ++m.valence[d];
  return true;
}

// Smallest facing and quality over the faces around v, with v at position p and normal n.
void fan_scores(const NewMesh& m, int v, const Vec3& p, const Vec3& n, double& min_facing,
                double& min_quality) {
  min_facing = min_quality = 1e30;
  m.for_each_out(v, [&](int h) {
    const int x = m.to(h), y = m.to(NewMesh::nxt(h));  // face (v, x, y)
    min_facing = std::min(min_facing, facing(p, m.P[x], m.P[y], n, m.N[x], m.N[y]));
    min_quality = std::min(min_quality, triangle_quality(p, m.P[x], m.P[y]));
  });
}

// Moves v to (old face f, barycentric b) unless a face around it would get worse than a floor
// (facing 0.2, quality 0.25) and worse than it already is.
bool try_move(NewMesh& m, const OldMesh& old, int v, int f, const Vec3& b) {
  const Vec3 p = old.point_at(f, b), n = old.normal_at(f, b);
  double f0, q0, f1, q1;
  fan_scores(m, v, p, n, f1, q1);
  if (f1 < 0.2 || q1 < 0.25) {  // below a floor: only if it already was
    fan_scores(m, v, m.P[v], m.N[v], f0, q0);
    if (f1 < std::min(0.2, f0) || q1 < std::min(0.25, q0)) return false;
  }
  place(m, old, v, f, b);
  return true;
}

double wrap(double d, double length) {  // into [−length/2, length/2)
  return d - std::floor(d / length + 0.5) * length;
}

// Moves v a fraction lambda toward the centre of its neighbours, within the old surface (or
// along the old boundary).
void relax_vertex(NewMesh& m, const OldMesh& old, int v, double lambda) {
  if (m.loop[v] >= 0) {
    const double L = old.loops[m.loop[v]].length();
    const double dp = wrap(m.t[m.prev_b[v]] - m.t[v], L), dn = wrap(m.t[m.next_b[v]] - m.t[v], L);
    const double t = m.t[v] + lambda * 0.5 * (dp + dn);
    int f;
    Vec3 b;
    old.boundary_at(m.loop[v], t, f, b);
    if (try_move(m, old, v, f, b)) m.t[v] = t;
    return;
  }
  Vec3 c(0, 0, 0);
  int k = 0;
  m.for_each_out(v, [&](int h) {
    c += m.P[m.to(h)];
    ++k;
  });
  const Vec3 d = c / k - m.P[v];
  const Vec3 target = m.P[v] + lambda * (d - d.dot(m.N[v]) * m.N[v]);
  const ClosestPointHit hit = project(old, target, m.face[v]);
  if (old.normal_at(hit.face, hit.bary).dot(m.N[v]) < 0.3) return;  // another sheet
  try_move(m, old, v, hit.face, hit.bary);
}

// The seed's variation: every vertex moved at random by up to `amount` old edge lengths.
void jitter_vertices(NewMesh& m, const OldMesh& old, double amount, SplitMix64& rng) {
  for (int v = 0; v < m.num_vertices(); ++v) {
    const double r = amount * m.size[v];
    if (m.loop[v] >= 0) {
      const double t = m.t[v] + r * (2 * rng.uniform() - 1);
      int f;
      Vec3 b;
      old.boundary_at(m.loop[v], t, f, b);
      if (try_move(m, old, v, f, b)) m.t[v] = t;
      continue;
    }
    Vec3 d(2 * rng.uniform() - 1, 2 * rng.uniform() - 1, 2 * rng.uniform() - 1);
    d -= d.dot(m.N[v]) * m.N[v];
    const ClosestPointHit hit = project(old, m.P[v] + r * d, m.face[v]);
    if (old.normal_at(hit.face, hit.bary).dot(m.N[v]) < 0.3) continue;
    try_move(m, old, v, hit.face, hit.bary);
  }
}

// Last resort for slivers left where the old surface folds (the ICT lip corners): collapse the
// shortest edge or flip the longest one of a bad triangle when that improves the worst triangle
// around it, whatever the old normals say.
void remove_slivers(NewMesh& m, double min_quality, std::vector<int>& nr, std::vector<int>& nk) {
  for (int round = 0; round < 3; ++round) {
    int changes = 0;
    for (int f = 0; f < int(m.F.size()); ++f) {
      if (m.face_dead[f]) continue;
      const Vec3 &A = m.P[m.F[f][0]], &B = m.P[m.F[f][1]], &C = m.P[m.F[f][2]];
      if (triangle_quality(A, B, C) >= min_quality) continue;
      const double len[3] = {(B - A).norm(), (C - B).norm(), (A - C).norm()};
      const int shortest = int(std::min_element(len, len + 3) - len);
      const int longest = int(std::max_element(len, len + 3) - len);
      const int hs = 3 * f + shortest, hl = 3 * f + longest;
      const int u = m.from(hs), v = m.to(hs);
      if (collapse_edge(m, hs, u, 0, 0, nr, nk, true) ||
          collapse_edge(m, hs, v, 0, 0, nr, nk, true) || flip_edge(m, hl, true))
        ++changes;
    }
    if (changes == 0) break;
  }
}

// New vertices must not sit on old ones: a barycentric coordinate above 1 - δ is pulled back.
void move_off_old_vertices(NewMesh& m, const OldMesh& old, double delta) {
  for (int v = 0; v < m.num_vertices(); ++v) {
    if (m.dead[v] || m.bary[v].maxCoeff() <= 1 - delta) continue;
    if (m.loop[v] >= 0) {  // along the old boundary edge it lies on
      const BoundaryLoop& L = old.loops[m.loop[v]];
      int e;
      double s;
      old.boundary_edge(m.loop[v], m.t[v], e, s);
      const double t = L.cum[e] + std::clamp(s, delta, 1 - delta) * (L.cum[e + 1] - L.cum[e]);
      int f;
      Vec3 b;
      old.boundary_at(m.loop[v], t, f, b);
      m.t[v] = t;
      place(m, old, v, f, b);
    } else {  // toward the centre of its old triangle
      Vec3 b = m.bary[v];
      const double top = b.maxCoeff();
      const double alpha = (top - (1 - delta)) / (top - 1.0 / 3.0);
      b = (1 - alpha) * b + alpha * Vec3::Constant(1.0 / 3.0);
      place(m, old, v, m.face[v], b);
    }
  }
}

// A visiting order for n items that differs per seed yet keeps neighbours together (blocks of
// 64 consecutive items, blocks shuffled): the mesh is stored in spatial order (compact), so
// this stays cache-friendly.
std::vector<int> block_shuffled(int n, SplitMix64& rng) {
  constexpr int kBlock = 64;
  const int blocks = (n + kBlock - 1) / kBlock;
  std::vector<int> order(blocks);
  for (int i = 0; i < blocks; ++i) order[i] = i;
  for (int i = blocks - 1; i > 0; --i)
    std::swap(order[i], order[int(rng.next() % uint64_t(i + 1))]);
  std::vector<int> p;
  p.reserve(n);
  for (int b : order)
    for (int i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) p.push_back(i);
  return p;
}

uint64_t morton_code(const Vec3& p, const Vec3& lo, double extent) {
  uint64_t code = 0;
  uint32_t cell[3];
  for (int k = 0; k < 3; ++k)
    cell[k] = uint32_t(std::clamp((p(k) - lo(k)) / extent, 0.0, 1.0) * 2097151.0);
  for (int b = 20; b >= 0; --b)
    for (int k = 0; k < 3; ++k) code = (code << 1) | ((cell[k] >> b) & 1u);
  return code;
}

// Drops dead faces and vertices and stores the rest in spatial (Morton) order.
void compact(NewMesh& m) {
  const int nv = m.num_vertices(), nf = int(m.F.size());
  Vec3 lo = Vec3::Constant(1e300), hi = Vec3::Constant(-1e300);
  for (int v = 0; v < nv; ++v)
    if (!m.dead[v]) lo = lo.cwiseMin(m.P[v]), hi = hi.cwiseMax(m.P[v]);
  const double extent = std::max((hi - lo).maxCoeff(), 1e-300);
  std::vector<std::pair<uint64_t, int>> order;
  for (int v = 0; v < nv; ++v)
    if (!m.dead[v]) order.emplace_back(morton_code(m.P[v], lo, extent), v);
  std::sort(order.begin(), order.end());
  std::vector<int> vnew(nv, -1), fnew(nf, -1);
  for (size_t i = 0; i < order.size(); ++i) vnew[order[i].second] = int(i);
  std::vector<std::pair<int, int>> faces;  // (smallest new vertex, face)
  for (int f = 0; f < nf; ++f)
    if (!m.face_dead[f])
      faces.emplace_back(std::min({vnew[m.F[f][0]], vnew[m.F[f][1]], vnew[m.F[f][2]]}), f);
  std::sort(faces.begin(), faces.end());
  for (size_t i = 0; i < faces.size(); ++i) fnew[faces[i].second] = int(i);
  auto hnew = [&](int h) { return h < 0 ? -1 : 3 * fnew[h / 3] + h % 3; };
  NewMesh c;
  c.F.resize(faces.size());
  c.face_dead.assign(faces.size(), 0);
  c.opp.resize(3 * faces.size());
  for (size_t i = 0; i < faces.size(); ++i) {
    const int f = faces[i].second;
    for (int k = 0; k < 3; ++k) {
      c.F[i][k] = vnew[m.F[f][k]];
      c.opp[3 * i + k] = hnew(m.opp[3 * f + k]);
    }
  }
  const int n = int(order.size());
  c.dead.assign(n, 0);
  c.out.resize(n);
  c.valence.resize(n);
  c.next_b.resize(n);
  c.prev_b.resize(n);
  c.face.resize(n);
  c.bary.resize(n);
  c.P.resize(n);
  c.N.resize(n);
  c.size.resize(n);
  c.loop.resize(n);
  c.t.resize(n);
  for (int i = 0; i < n; ++i) {
    const int v = order[i].second;
    c.out[i] = hnew(m.out[v]);
    c.valence[i] = m.valence[v];
    c.next_b[i] = m.next_b[v] < 0 ? -1 : vnew[m.next_b[v]];
    c.prev_b[i] = m.prev_b[v] < 0 ? -1 : vnew[m.prev_b[v]];
    c.face[i] = m.face[v];
    c.bary[i] = m.bary[v];
    c.P[i] = m.P[v];
    c.N[i] = m.N[v];
    c.size[i] = m.size[v];
    c.loop[i] = m.loop[v];
    c.t[i] = m.t[v];
  }
  m = std::move(c);
}

}  // namespace

void remesh(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, const RemeshOptions& options,
            Eigen::MatrixXd& V2, Eigen::MatrixXi& F2, Eigen::VectorXi& I2, Eigen::MatrixXd& B2) {
  const int target = options.target_vertices;
  if (target < 16) throw std::invalid_argument("remesh: target_vertices must be at least 16");
  OldMesh old(V, F);
  prepare_old_mesh(old);
  if (!options.adaptive) old.H.setConstant(old.H.mean());

  NewMesh m;
  start_from_old(m, old);
  SplitMix64 rng{options.seed * 0x2545F4914F6CDD1Dull + 0x5DEECE66Dull};
  jitter_vertices(m, old, options.jitter, rng);

  // Target edge length κ·H: a regular mesh has √3/2 · ℓ² of area per vertex.
  double kappa;
  {
    double sum = 0;
    for (int f = 0; f < F.rows(); ++f) {
      const Vec3 a = V.row(F(f, 0)), b = V.row(F(f, 1)), c = V.row(F(f, 2));
      const double h = (old.H(F(f, 0)) + old.H(F(f, 1)) + old.H(F(f, 2))) / 3.0;
      sum += 0.5 * (b - a).cross(c - a).norm() / (0.5 * std::sqrt(3.0) * h * h);
    }
    kappa = std::sqrt(sum / target);
  }
  auto target_length = [&](int a, int b) { return kappa * 0.5 * (m.size[a] + m.size[b]); };

  std::vector<int> nr, nk;
  // Flip passes over the edges with an end at index >= first (all edges: first = 0).
  auto flip_all = [&](int passes, int first) {
    for (int pass = 0; pass < passes; ++pass) {
      int flips = 0;
      for (int h = 0; h < 3 * int(m.F.size()); ++h)
        if (!m.face_dead[h / 3] && m.opp[h] > h && std::max(m.from(h), m.to(h)) >= first)
          flips += flip_edge(m, h);
      if (flips == 0) break;
    }
  };
  const int iterations = std::max(options.iterations, 1);
  for (int it = 0; it < iterations; ++it) {
    // Split long edges, one level at a time: a pass splits only edges that existed before it
    // (so a split does not cascade into its own new edges), then flips restore good shapes.
    // The first round splits less (edges up to 2× the target) so that it does not overshoot N.
    const double split_at = it == 0 ? 2.0 : 4.0 / 3.0;
    for (int pass = 0; pass < (it == 0 ? 8 : 3); ++pass) {
      int splits = 0;
      const int nv0 = m.num_vertices();
      for (int h : block_shuffled(3 * int(m.F.size()), rng)) {
        if (m.face_dead[h / 3]) continue;
        const int a = m.from(h), b = m.to(h);
        if (a >= nv0 || b >= nv0) continue;    // an edge of this pass
        if (m.opp[h] >= 0 && a > b) continue;  // each interior edge once
        const double hi = split_at * target_length(a, b);
        if ((m.P[a] - m.P[b]).squaredNorm() > hi * hi) splits += split_edge(m, old, h);
      }
      if (splits <= nv0 / 1000) break;  // a handful that refuse to settle can wait
      flip_all(1, nv0);                 // the edges around the new vertices
    }
    // Collapse short edges: the interior end goes, or either end of a boundary edge.
    for (int h : block_shuffled(3 * int(m.F.size()), rng)) {
      if (m.face_dead[h / 3]) continue;
      const int a = m.from(h), b = m.to(h);
      if (m.opp[h] >= 0 && a > b) continue;
      const double lo = 0.8 * target_length(a, b);
      if ((m.P[a] - m.P[b]).squaredNorm() >= lo * lo) continue;
      const int first = (rng.next() & 1) ? a : b, second = first == a ? b : a;
      if (!collapse_edge(m, h, first, 4.0 / 3.0, kappa, nr, nk))
        collapse_edge(m, h, second, 4.0 / 3.0, kappa, nr, nk);
    }
    compact(m);
    flip_all(3, 0);
    for (int v = 0; v < m.num_vertices(); ++v) relax_vertex(m, old, v, 0.7);
    // Steer the count toward N while the rounds still have room to settle.
    if (it >= 1 && it + 3 < iterations) {
      const double ratio = double(m.num_vertices()) / target;
      kappa *= std::clamp(std::sqrt(ratio), 0.8, 1.25);
    }
  }
  remove_slivers(m, 0.2, nr, nk);
  move_off_old_vertices(m, old, 0.02);

  // Compact, and check that the topology is the old one.
  std::vector<int> index(m.num_vertices(), -1);
  int nv = 0;
  for (int v = 0; v < m.num_vertices(); ++v)
    if (!m.dead[v]) index[v] = nv++;
  V2.resize(nv, 3);
  B2.resize(nv, 3);
  I2.resize(nv);
  int boundary_vertices = 0, loops = 0;
  std::vector<char> seen(m.num_vertices(), 0);
  for (int v = 0; v < m.num_vertices(); ++v) {
    if (m.dead[v]) continue;
    V2.row(index[v]) = m.P[v].transpose();
    B2.row(index[v]) = m.bary[v].transpose();
    I2(index[v]) = m.face[v];
    if (!m.boundary(v)) continue;
    ++boundary_vertices;
    if (seen[v]) continue;
    ++loops;
    for (int u = v; !seen[u]; u = m.next_b[u]) seen[u] = 1;
  }
  int nf = 0;
  for (char d : m.face_dead) nf += !d;
  F2.resize(nf, 3);
  nf = 0;
  for (size_t f = 0; f < m.F.size(); ++f) {
    if (m.face_dead[f]) continue;
    for (int k = 0; k < 3; ++k) F2(nf, k) = index[m.F[f][k]];
    ++nf;
  }
  const int edges = (3 * nf + boundary_vertices) / 2;
  if (loops != int(old.loops.size()) || nv - edges + nf != old.euler)
    throw std::runtime_error("remesh: internal error, topology changed (" + std::to_string(loops) +
                             " boundary loops, Euler characteristic " +
                             std::to_string(nv - edges + nf) + ")");
}

void barycentric_transfer(const Eigen::MatrixXi& F, const Eigen::VectorXi& I2,
                          const Eigen::MatrixXd& B2, const Eigen::MatrixXd& Q,
                          Eigen::MatrixXd& Q2) {
  if (B2.rows() != I2.rows() || B2.cols() != 3)
    throw std::invalid_argument("barycentric_transfer: B2 must be #I2 by 3");
  if (I2.size() > 0 && (I2.minCoeff() < 0 || I2.maxCoeff() >= F.rows()))
    throw std::invalid_argument("barycentric_transfer: face index out of range");
  if (F.size() > 0 && F.maxCoeff() >= Q.rows())
    throw std::invalid_argument("barycentric_transfer: Q has fewer rows than F's vertices");
  Q2.resize(I2.rows(), Q.cols());
  for (Eigen::Index i = 0; i < I2.rows(); ++i)
    Q2.row(i) = B2(i, 0) * Q.row(F(I2(i), 0)) + B2(i, 1) * Q.row(F(I2(i), 1)) +
                B2(i, 2) * Q.row(F(I2(i), 2));
}

}  // namespace nfs
