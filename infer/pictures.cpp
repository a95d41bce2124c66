#include "infer/pictures.h"

#include <algorithm>
#include <numeric>

#include "geometry/image_io.h"
#include "geometry/mesh_arrays.h"
#include "geometry/plot.h"
#include "geometry/render.h"

namespace nfs {

namespace {
// User-frame positions (flat #V·3) of the target as canonical #V × 3.
Eigen::MatrixXd canonical_of(const Engine::Target& target, const std::vector<float>& frame) {
  Eigen::MatrixXd R(target.mesh.V.rows(), 3);
  for (int64_t v = 0; v < R.rows(); ++v)
    for (int k = 0; k < 3; ++k) R(v, k) = frame[v * 3 + k];
  return target.mesh.to_canonical.apply(R);
}
}  // namespace

Tensor render_mesh(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int size) {
  const RasterCamera cam = canonical_camera(size);
  return render_front(points_tensor(V), triangles_tensor(F), cam).reshape({3, size, size});
}

void write_strip(const std::string& path, Engine& engine, const std::vector<std::string>& sources,
                 const std::vector<Eigen::MatrixXd>& source_positions, const AlignOptions& align,
                 const Engine::Target& target, const std::vector<std::vector<float>>& frames) {
  CanonicalMesh first = load_canonical_mesh(sources[0], align, engine.ict());
  std::vector<Tensor> cells;
  std::vector<std::string> labels;
  const size_t step = std::max<size_t>(1, (frames.size() + 7) / 8);
  for (size_t i = 0; i < frames.size(); i += step) {
    cells.push_back(render_mesh(first.to_canonical.apply(source_positions[i]), first.mesh.F));
    cells.push_back(render_mesh(canonical_of(target, frames[i]), target.mesh.mesh.F));
    labels.push_back("source " + std::to_string(i));
    labels.push_back("result " + std::to_string(i));
  }
  write_png(path, image_grid(cells, labels, 2));
}

void write_frames_sheet(const std::string& path, const Engine::Target& target,
                        const std::vector<std::vector<float>>& frames, const std::vector<std::string>& labels,
                        int columns, int max_cells, int cell_size, int heat_reference, bool per_cell_scale) {
  const size_t n = frames.size(), count = std::min(n, size_t(std::max(1, max_cells)));
  std::vector<size_t> shown_frames;
  for (size_t j = 0; j < count; ++j)  // evenly spaced, first and last kept
    shown_frames.push_back(count == 1 ? 0 : j * (n - 1) / (count - 1));
  std::vector<Eigen::MatrixXd> canonical;
  for (size_t i : shown_frames) canonical.push_back(canonical_of(target, frames[i]));
  // Heat: per-vertex distance to the reference frame, one scale for the whole sheet or per cell.
  std::vector<std::vector<float>> distance(count);
  std::vector<float> cell_max(count, 0.0f);
  float max_distance = 0.0f;
  if (heat_reference >= 0) {
    const Eigen::MatrixXd ref = canonical_of(target, frames.at(size_t(heat_reference)));
    for (size_t j = 0; j < count; ++j) {
      for (int64_t v = 0; v < ref.rows(); ++v) distance[j].push_back(float((canonical[j].row(v) - ref.row(v)).norm()));
      cell_max[j] = *std::max_element(distance[j].begin(), distance[j].end());
      max_distance = std::max(max_distance, cell_max[j]);
    }
  }
  const RasterCamera cam = canonical_camera(cell_size);
  std::vector<Tensor> cells;
  std::vector<std::string> shown;
  for (size_t j = 0; j < count; ++j) {
    if (heat_reference >= 0)
      cells.push_back(render_colored(points_tensor(canonical[j]), triangles_tensor(target.mesh.mesh.F),
                                     heat_colors(distance[j], per_cell_scale ? cell_max[j] : max_distance), cam));
    else
      cells.push_back(render_mesh(canonical[j], target.mesh.mesh.F, cell_size));
    const size_t i = shown_frames[j];
    shown.push_back(i < labels.size() ? labels[i] : std::to_string(i));
  }
  write_png(path, image_grid(cells, shown, std::min(columns, int(count))));
}

void write_weights_plot(const std::string& path, const std::vector<float>& weights, int frames,
                        const std::vector<std::string>& names, int top) {
  const int E = int(names.size());
  std::vector<float> peak(E, 0.0f);
  for (int f = 0; f < frames; ++f)
    for (int e = 0; e < E; ++e) peak[e] = std::max(peak[e], weights[size_t(f) * E + e]);
  std::vector<int> order(E);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return peak[a] > peak[b]; });
  std::vector<PlotSeries> series;
  for (int k = 0; k < std::min(top, E); ++k) {
    PlotSeries s;
    s.name = names[order[k]];
    for (int f = 0; f < frames; ++f) {
      s.x.push_back(f);
      s.y.push_back(weights[size_t(f) * E + order[k]]);
    }
    series.push_back(s);
  }
  PlotOptions o;
  o.title = "FACS weights per frame (the " + std::to_string(series.size()) + " with the largest peak)";
  o.x_label = "frame";
  o.y_label = "weight";
  write_line_plot(path, series, o);
}

}  // namespace nfs
