// Meshes shared by the geometry tests: the ICT head (canonical frame, quads split in two), and
// small synthetic meshes (closed sphere, plane with holes, degenerate soup).
#pragma once
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <vector>

#include "geometry/canonical.h"
#include "nn/safetensors.h"

namespace nfs::test {

struct IctHead {
  Eigen::MatrixXd V;  // 11248 by 3, canonical frame
  Eigen::MatrixXi Q;  // 11144 by 4 quads
};

// Read once per test binary.
inline const IctHead& ict_head() {
  static const IctHead head = [] {
    SafetensorsFile f =
        read_safetensors(NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors");
    std::vector<float> p = f.at("neutral").to_vector();
    const int64_t n = int64_t(p.size() / 3);
    ict_to_canonical(p.data(), p.data(), n, ict_canonical_offset(p.data()));
    IctHead h;
    h.V.resize(n, 3);
    for (int64_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) h.V(i, k) = p[3 * i + k];
    std::vector<int32_t> q = f.at("quads").to_int_vector();
    h.Q.resize(int64_t(q.size() / 4), 4);
    for (int64_t i = 0; i < h.Q.rows(); ++i)
      for (int k = 0; k < 4; ++k) h.Q(i, k) = q[4 * i + k];
    return h;
  }();
  return head;
}

// The quads whose four vertices all lie in [0, end), each split into (0,1,2) and (0,2,3).
inline Eigen::MatrixXi ict_triangles(int64_t end = kIctHeadRegionEnd) {
  const Eigen::MatrixXi& Q = ict_head().Q;
  std::vector<int> t;
  for (int i = 0; i < Q.rows(); ++i) {
    if (Q.row(i).maxCoeff() >= end) continue;
    t.insert(t.end(), {Q(i, 0), Q(i, 1), Q(i, 2), Q(i, 0), Q(i, 2), Q(i, 3)});
  }
  Eigen::MatrixXi F(int(t.size() / 3), 3);
  for (int i = 0; i < F.rows(); ++i)
    for (int k = 0; k < 3; ++k) F(i, k) = t[3 * i + k];
  return F;
}

// Closed UV sphere of radius r: `rings` latitude bands, `segments` longitudes, outward normals.
inline void uv_sphere(int rings, int segments, double r, Eigen::MatrixXd& V, Eigen::MatrixXi& F) {
  const double pi = 3.14159265358979323846;
  V.resize(2 + (rings - 1) * segments, 3);
  V.row(0) << 0, r, 0;
  V.row(1) << 0, -r, 0;
  for (int i = 1; i < rings; ++i)
    for (int j = 0; j < segments; ++j) {
      const double th = pi * i / rings, ph = 2 * pi * j / segments;
      V.row(2 + (i - 1) * segments + j) << r * std::sin(th) * std::cos(ph), r * std::cos(th),
          -r * std::sin(th) * std::sin(ph);
    }
  auto at = [&](int i, int j) { return 2 + (i - 1) * segments + (j % segments); };
  std::vector<int> t;
  for (int j = 0; j < segments; ++j) {
    t.insert(t.end(), {0, at(1, j + 1), at(1, j)});
    t.insert(t.end(), {1, at(rings - 1, j), at(rings - 1, j + 1)});
  }
  for (int i = 1; i + 1 < rings; ++i)
    for (int j = 0; j < segments; ++j) {
      t.insert(t.end(), {at(i, j), at(i, j + 1), at(i + 1, j + 1)});
      t.insert(t.end(), {at(i, j), at(i + 1, j + 1), at(i + 1, j)});
    }
  F.resize(int(t.size() / 3), 3);
  for (int i = 0; i < F.rows(); ++i)
    for (int k = 0; k < 3; ++k) F(i, k) = t[3 * i + k];
}

// A wavy n by n grid over [0,1]^2 (z = small bumps, normals toward +z) with two square holes.
inline void holey_grid(int n, Eigen::MatrixXd& V, Eigen::MatrixXi& F) {
  V.resize((n + 1) * (n + 1), 3);
  for (int i = 0; i <= n; ++i)
    for (int j = 0; j <= n; ++j) {
      const double x = double(j) / n, y = double(i) / n;
      V.row(i * (n + 1) + j) << x, y, 0.05 * std::sin(6 * x) * std::cos(5 * y);
    }
  auto hole = [&](int i, int j) {
    const bool a = i >= n / 5 && i < 2 * n / 5 && j >= n / 5 && j < 2 * n / 5;
    const bool b = i >= 3 * n / 5 && i < 4 * n / 5 && j >= n / 2 && j < 4 * n / 5;
    return a || b;
  };
  std::vector<int> t;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      if (hole(i, j)) continue;
      const int a = i * (n + 1) + j, b = a + 1, c = a + n + 2, d = a + n + 1;
      t.insert(t.end(), {a, b, c, a, c, d});
    }
  F.resize(int(t.size() / 3), 3);
  for (int i = 0; i < F.rows(); ++i)
    for (int k = 0; k < 3; ++k) F(i, k) = t[3 * i + k];
}

// Two pieces in one mesh: a sphere and, beside it, the holey grid (like a head with eyeballs).
inline void two_pieces(Eigen::MatrixXd& V, Eigen::MatrixXi& F) {
  Eigen::MatrixXd Vs, Vg;
  Eigen::MatrixXi Fs, Fg;
  uv_sphere(10, 16, 0.3, Vs, Fs);
  holey_grid(20, Vg, Fg);
  V.resize(Vs.rows() + Vg.rows(), 3);
  V << Vs.rowwise() + Eigen::RowVector3d(-0.5, 0.5, 0.2), Vg;
  F.resize(Fs.rows() + Fg.rows(), 3);
  F << Fs, Fg.array() + int(Vs.rows());
}

}  // namespace nfs::test
