#include "train/comparison_sheet.h"

#include <cmath>
#include <cstdio>

#include "geometry/image_io.h"
#include "geometry/plot.h"
#include "geometry/render.h"

namespace nfs {

void write_comparison_sheet(const std::string& path, const std::vector<ComparisonRow>& rows, float max_error,
                            int cell_size) {
  const RasterCamera cam = canonical_camera(cell_size);
  auto render = [&](const std::vector<float>& p, const Topology& t) {
    const int64_t V = int64_t(p.size() / 3);
    return render_front(Tensor::from_vector({V, 3}, p), t.faces_tensor(Device::CPU), cam)
        .reshape({3, cell_size, cell_size});
  };
  char scale[64];
  std::snprintf(scale, sizeof(scale), "error (yellow >= %.1f mm)", max_error * 100.0f);  // canonical unit = 10 cm
  std::vector<Tensor> cells;
  std::vector<std::string> labels;
  for (const ComparisonRow& r : rows) {
    std::vector<float> error(r.result.size() / 3);
    for (size_t v = 0; v < error.size(); ++v) {
      double e = 0.0;
      for (int c = 0; c < 3; ++c) e += std::pow(double(r.result[3 * v + c]) - r.truth[3 * v + c], 2);
      error[v] = float(std::sqrt(e));
    }
    const int64_t Vt = int64_t(r.result.size() / 3);
    cells.push_back(render(r.source, *r.source_topology));
    cells.push_back(render(r.result, *r.target_topology));
    cells.push_back(render(r.truth, *r.target_topology));
    cells.push_back(render_colored(Tensor::from_vector({Vt, 3}, r.result),
                                   r.target_topology->faces_tensor(Device::CPU), heat_colors(error, max_error), cam));
    labels.insert(labels.end(), {r.label, "result", "ground truth", scale});
  }
  write_png(path, image_grid(cells, labels, 4));
}

}  // namespace nfs
