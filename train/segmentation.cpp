#include "train/segmentation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

namespace nfs {

namespace {

using Adjacency = std::vector<std::vector<int32_t>>;

Adjacency vertex_adjacency(int64_t V, const std::vector<int32_t>& polygons,
                           const std::vector<int32_t>& sizes) {
  Adjacency adj(V);
  size_t at = 0;
  for (int32_t n : sizes) {
    for (int32_t j = 0; j < n; ++j) {
      const int32_t a = polygons[at + j], b = polygons[at + (j + 1) % n];
      if (a < V && b < V) {
        adj[a].push_back(b);
        adj[b].push_back(a);
      }
    }
    at += n;
  }
  for (auto& list : adj) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return adj;
}

// Nearest vertex to each vertex's mirror image (-x, y, z), by a uniform grid.
std::vector<int32_t> mirror_map(const std::vector<float>& P, int64_t V) {
  float lo[3] = {1e30f, 1e30f, 1e30f}, hi[3] = {-1e30f, -1e30f, -1e30f};
  for (int64_t i = 0; i < V; ++i)
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], P[3 * i + k]);
      hi[k] = std::max(hi[k], P[3 * i + k]);
    }
  lo[0] = std::min(lo[0], -hi[0]);
  hi[0] = std::max(hi[0], -lo[0]);
  const int R = 48;
  auto cell = [&](float v, int k) {
    return std::clamp(int((v - lo[k]) / (hi[k] - lo[k] + 1e-9f) * R), 0, R - 1);
  };
  std::vector<std::vector<int32_t>> grid(R * R * R);
  for (int64_t i = 0; i < V; ++i)
    grid[(cell(P[3 * i], 0) * R + cell(P[3 * i + 1], 1)) * R + cell(P[3 * i + 2], 2)].push_back(int32_t(i));
  std::vector<int32_t> mirror(V);
  for (int64_t i = 0; i < V; ++i) {
    const float q[3] = {-P[3 * i], P[3 * i + 1], P[3 * i + 2]};
    const int c[3] = {cell(q[0], 0), cell(q[1], 1), cell(q[2], 2)};
    float best = std::numeric_limits<float>::max();
    int32_t arg = int32_t(i);
    for (int radius = 1; radius <= R && arg == int32_t(i) && best == std::numeric_limits<float>::max(); radius *= 2)
      for (int x = std::max(0, c[0] - radius); x <= std::min(R - 1, c[0] + radius); ++x)
        for (int y = std::max(0, c[1] - radius); y <= std::min(R - 1, c[1] + radius); ++y)
          for (int z = std::max(0, c[2] - radius); z <= std::min(R - 1, c[2] + radius); ++z)
            for (int32_t j : grid[(x * R + y) * R + z]) {
              float d = 0.0f;
              for (int k = 0; k < 3; ++k) d += (P[3 * j + k] - q[k]) * (P[3 * j + k] - q[k]);
              if (d < best) {
                best = d;
                arg = j;
              }
            }
    mirror[i] = arg;
  }
  return mirror;
}

// k-means with k-means++ seeding; rows of `features` are points of dimension `dim`.
std::vector<int32_t> kmeans(const std::vector<float>& features, int64_t n, int dim, int k,
                            uint64_t seed, int iterations) {
  std::mt19937_64 rng(seed);
  std::vector<float> centers;
  auto dist2 = [&](int64_t i, const float* c) {
    double d = 0.0;
    for (int j = 0; j < dim; ++j) d += double(features[i * dim + j] - c[j]) * (features[i * dim + j] - c[j]);
    return d;
  };
  const int64_t first = static_cast<int64_t>(rng() % uint64_t(n));
  centers.insert(centers.end(), features.begin() + first * dim, features.begin() + first * dim + dim);
  std::vector<double> nearest(n, std::numeric_limits<double>::max());
  while (int(centers.size() / dim) < k) {
    const float* c = centers.data() + centers.size() - dim;
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) total += (nearest[i] = std::min(nearest[i], dist2(i, c)));
    double pick = std::uniform_real_distribution<double>(0.0, total)(rng);
    int64_t chosen = n - 1;
    for (int64_t i = 0; i < n; ++i)
      if ((pick -= nearest[i]) <= 0.0) {
        chosen = i;
        break;
      }
    centers.insert(centers.end(), features.begin() + chosen * dim, features.begin() + chosen * dim + dim);
  }
  std::vector<int32_t> label(n, 0);
  for (int it = 0; it < iterations; ++it) {
    bool changed = false;
    for (int64_t i = 0; i < n; ++i) {
      int32_t best = 0;
      double bd = std::numeric_limits<double>::max();
      for (int c = 0; c < k; ++c) {
        const double d = dist2(i, centers.data() + c * dim);
        if (d < bd) {
          bd = d;
          best = c;
        }
      }
      changed = changed || best != label[i];
      label[i] = best;
    }
    std::vector<double> sum(size_t(k) * dim, 0.0);
    std::vector<int64_t> count(k, 0);
    for (int64_t i = 0; i < n; ++i) {
      ++count[label[i]];
      for (int j = 0; j < dim; ++j) sum[label[i] * dim + j] += features[i * dim + j];
    }
    for (int c = 0; c < k; ++c)
      if (count[c] > 0)
        for (int j = 0; j < dim; ++j) centers[c * dim + j] = float(sum[c * dim + j] / count[c]);
    if (!changed && it > 0) break;
  }
  return label;
}

// Within `members` (vertices with label >= 0), relabels every connected piece of a label except
// its largest to the neighbouring label it touches most. Repeats until nothing changes.
void make_contiguous(std::vector<int32_t>& label, const Adjacency& adj) {
  const int64_t V = int64_t(label.size());
  for (int pass = 0; pass < 20; ++pass) {
    std::vector<int32_t> piece(V, -1);
    std::vector<int64_t> piece_size;
    std::vector<int32_t> piece_label;
    for (int64_t s = 0; s < V; ++s) {
      if (label[s] < 0 || piece[s] >= 0) continue;
      const int32_t id = int32_t(piece_size.size());
      std::vector<int32_t> stack{int32_t(s)};
      piece[s] = id;
      int64_t size = 0;
      while (!stack.empty()) {
        const int32_t v = stack.back();
        stack.pop_back();
        ++size;
        for (int32_t w : adj[v])
          if (piece[w] < 0 && label[w] == label[s]) {
            piece[w] = id;
            stack.push_back(w);
          }
      }
      piece_size.push_back(size);
      piece_label.push_back(label[s]);
    }
    std::map<int32_t, int32_t> largest;  // label -> its largest piece
    for (int32_t p = 0; p < int32_t(piece_size.size()); ++p) {
      auto it = largest.find(piece_label[p]);
      if (it == largest.end() || piece_size[p] > piece_size[it->second]) largest[piece_label[p]] = p;
    }
    bool changed = false;
    for (int32_t p = 0; p < int32_t(piece_size.size()); ++p) {
      if (largest[piece_label[p]] == p) continue;
      std::map<int32_t, int64_t> touching;
      for (int64_t v = 0; v < V; ++v)
        if (piece[v] == p)
          for (int32_t w : adj[v])
            if (label[w] >= 0 && label[w] != piece_label[p]) ++touching[label[w]];
      if (touching.empty()) continue;  // an island of its own: leave it
      int32_t best = std::max_element(touching.begin(), touching.end(),
                                      [](auto& a, auto& b) { return a.second < b.second; })->first;
      for (int64_t v = 0; v < V; ++v)
        if (piece[v] == p) label[v] = best;
      changed = true;
    }
    if (!changed) return;
  }
}

}  // namespace

std::vector<int32_t> segment_face(const std::vector<float>& P, const std::vector<float>& deltas,
                                  int64_t E, const std::vector<int32_t>& polygons,
                                  const std::vector<int32_t>& polygon_sizes,
                                  const SegmentationOptions& opt) {
  const int64_t V = int64_t(P.size() / 3);
  if (opt.segments < 4 || opt.segments % 2 != 0)
    throw std::invalid_argument("segmentation: --segments must be an even number >= 4 (6, 14, 20 or 24)");
  if (int64_t(deltas.size()) != E * V * 3)
    throw std::invalid_argument("segmentation: expression deltas do not match the neutral");
  const int k = (opt.segments - 2) / 2;

  std::vector<float> motion(V * E);
  std::vector<float> total(V, 0.0f);
  for (int64_t e = 0; e < E; ++e)
    for (int64_t i = 0; i < V; ++i) {
      const float* d = &deltas[(e * V + i) * 3];
      motion[i * E + e] = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
      total[i] += motion[i * E + e] * motion[i * E + e];
    }
  float max_total = 0.0f;
  for (float& t : total) max_total = std::max(max_total, t = std::sqrt(t));
  std::vector<bool> moving(V);
  float lowest_moving = std::numeric_limits<float>::max();
  for (int64_t i = 0; i < V; ++i) {
    moving[i] = total[i] >= opt.static_fraction * max_total;
    if (moving[i]) lowest_moving = std::min(lowest_moving, P[3 * i + 1]);
  }

  // Cluster the moving vertices of the left half.
  float lo[3] = {1e30f, 1e30f, 1e30f}, hi[3] = {-1e30f, -1e30f, -1e30f};
  for (int64_t i = 0; i < V; ++i)
    if (moving[i])
      for (int c = 0; c < 3; ++c) {
        lo[c] = std::min(lo[c], P[3 * i + c]);
        hi[c] = std::max(hi[c], P[3 * i + c]);
      }
  const float extent = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-9f});
  std::vector<int64_t> left;
  for (int64_t i = 0; i < V; ++i)
    if (moving[i] && P[3 * i] >= 0.0f) left.push_back(i);
  if (int64_t(left.size()) < k) throw std::runtime_error("segmentation: too few moving vertices for the segment count");
  const int dim = int(E) + 3;
  std::vector<float> features(left.size() * dim);
  for (size_t n = 0; n < left.size(); ++n) {
    const int64_t i = left[n];
    for (int64_t e = 0; e < E; ++e) features[n * dim + e] = motion[i * E + e] / total[i];
    for (int c = 0; c < 3; ++c) features[n * dim + E + c] = opt.position_weight * P[3 * i + c] / extent;
  }
  std::vector<int32_t> cluster = kmeans(features, int64_t(left.size()), dim, k, opt.seed, opt.iterations);

  std::vector<int32_t> label(V, -1);
  for (size_t n = 0; n < left.size(); ++n) label[left[n]] = 2 + 2 * cluster[n];
  const Adjacency adj = vertex_adjacency(V, polygons, polygon_sizes);
  make_contiguous(label, adj);

  // Static vertices, then the right half by mirroring.
  for (int64_t i = 0; i < V; ++i)
    if (!moving[i] && P[3 * i] >= 0.0f) label[i] = P[3 * i + 1] < lowest_moving ? 1 : 0;
  const std::vector<int32_t> mirror = mirror_map(P, V);
  for (int64_t i = 0; i < V; ++i) {
    if (P[3 * i] >= 0.0f) continue;
    int32_t m = label[mirror[i]];
    if (m < 0) m = moving[i] ? 2 : (P[3 * i + 1] < lowest_moving ? 1 : 0);  // mirror not on the left half
    label[i] = m >= 2 ? m + 1 : m;
  }
  return label;
}

void segment_color(int label, float rgb[3]) {
  // Golden-ratio hue steps give neighbouring labels distant colours.
  const float h = std::fmod(0.13f + label * 0.618034f, 1.0f) * 6.0f;
  const float s = label < 2 ? 0.15f : 0.65f, v = label == 1 ? 0.55f : 0.95f;
  const int sector = int(h);
  const float f = h - sector, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  const float table[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}};
  for (int c = 0; c < 3; ++c) rgb[c] = table[sector % 6][c];
}

}  // namespace nfs
