#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/vertex_normals.h"

namespace nfs::cpu {
namespace {

struct Vec3 {
  double x, y, z;
};
inline Vec3 load(const float* p) {
  return {p[0], p[1], p[2]};
}
inline Vec3 sub(Vec3 a, Vec3 b) {
  return {a.x - b.x, a.y - b.y, a.z - b.z};
}
inline Vec3 cross(Vec3 a, Vec3 b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

}  // namespace

void vertex_normals_forward(float* normals, float* sums, const float* positions,
                            const int32_t* faces, int64_t batch, int64_t vertices,
                            int64_t num_faces) {
  std::vector<double> s(vertices * 3);
  for (int64_t b = 0; b < batch; ++b) {
    const float* p = positions + b * vertices * 3;
    std::fill(s.begin(), s.end(), 0.0);
    for (int64_t f = 0; f < num_faces; ++f) {
      const int32_t* t = faces + f * 3;
      const Vec3 p0 = load(p + t[0] * 3);
      const Vec3 c = cross(sub(load(p + t[1] * 3), p0), sub(load(p + t[2] * 3), p0));
      for (int k = 0; k < 3; ++k) {
        s[t[k] * 3 + 0] += c.x;
        s[t[k] * 3 + 1] += c.y;
        s[t[k] * 3 + 2] += c.z;
      }
    }
    float* n = normals + b * vertices * 3;
    float* so = sums + b * vertices * 3;
    for (int64_t v = 0; v < vertices; ++v) {
      const double* sv = &s[v * 3];
      const double len = std::sqrt(sv[0] * sv[0] + sv[1] * sv[1] + sv[2] * sv[2]);
      for (int k = 0; k < 3; ++k) {
        so[v * 3 + k] = static_cast<float>(sv[k]);
        n[v * 3 + k] = len > 0 ? static_cast<float>(sv[k] / len) : 0.0f;
      }
    }
  }
}

void vertex_normals_backward(float* dpositions, const float* sums, const float* dnormals,
                             const float* positions, const int32_t* faces, int64_t batch,
                             int64_t vertices, int64_t num_faces) {
  std::vector<double> ds(vertices * 3), dp(vertices * 3);
  for (int64_t b = 0; b < batch; ++b) {
    const float* p = positions + b * vertices * 3;
    const float* s = sums + b * vertices * 3;
    const float* dn = dnormals + b * vertices * 3;
    // Through the normalization: ds = (dn − n (n · dn)) / |s|.
    for (int64_t v = 0; v < vertices; ++v) {
      const Vec3 sv = load(s + v * 3), g = load(dn + v * 3);
      const double len = std::sqrt(sv.x * sv.x + sv.y * sv.y + sv.z * sv.z);
      if (!(len > 0)) {
        ds[v * 3] = ds[v * 3 + 1] = ds[v * 3 + 2] = 0.0;
        continue;
      }
      const Vec3 n = {sv.x / len, sv.y / len, sv.z / len};
      const double ng = n.x * g.x + n.y * g.y + n.z * g.z;
      ds[v * 3 + 0] = (g.x - n.x * ng) / len;
      ds[v * 3 + 1] = (g.y - n.y * ng) / len;
      ds[v * 3 + 2] = (g.z - n.z * ng) / len;
    }
    // Through each face's cross product, scattered to its three corners.
    std::fill(dp.begin(), dp.end(), 0.0);
    for (int64_t f = 0; f < num_faces; ++f) {
      const int32_t* t = faces + f * 3;
      Vec3 G = {0, 0, 0};
      for (int k = 0; k < 3; ++k) {
        G.x += ds[t[k] * 3 + 0];
        G.y += ds[t[k] * 3 + 1];
        G.z += ds[t[k] * 3 + 2];
      }
      const Vec3 p0 = load(p + t[0] * 3);
      const Vec3 e1 = sub(load(p + t[1] * 3), p0), e2 = sub(load(p + t[2] * 3), p0);
      const Vec3 d1 = cross(e2, G), d2 = cross(G, e1);
      const double d[3][3] = {
          {-d1.x - d2.x, -d1.y - d2.y, -d1.z - d2.z}, {d1.x, d1.y, d1.z}, {d2.x, d2.y, d2.z}};
      for (int k = 0; k < 3; ++k)
        for (int c = 0; c < 3; ++c) dp[t[k] * 3 + c] += d[k][c];
    }
    float* out = dpositions + b * vertices * 3;
    for (int64_t i = 0; i < vertices * 3; ++i) out[i] = static_cast<float>(dp[i]);
  }
}

}  // namespace nfs::cpu
