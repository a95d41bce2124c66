// Small charts as PNG for results people look at (training loss curves, benchmark sweeps):
// lines over a shared x axis, optional log-scale y, a legend and tick labels (stb_easy_font).
#pragma once
#include <string>
#include <vector>

namespace nfs {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;
};

struct PlotOptions {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  int width = 900, height = 500;
};

// Writes the chart atomically; non-positive values are skipped on a log axis.
void write_line_plot(const std::string& path, const std::vector<PlotSeries>& series, const PlotOptions& options);

}  // namespace nfs
