// Small charts as PNG for results people look at (training loss curves, benchmark sweeps):
// lines over a shared x axis, optional log-scale y, a legend and tick labels (stb_easy_font).
#pragma once
#include <string>
#include <vector>

#include "nn/tensor.h"

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

// Writes `text` (ASCII, stb_easy_font) into an image [3, H, W] (CPU, values in [0, 1]) with its
// top-left corner at pixel (x, y); each font pixel becomes a scale × scale block. Labels for
// contact sheets and comparison strips.
void draw_text(Tensor& image, int x, int y, const std::string& text, const float rgb[3], int scale = 1);

// Images [3, H, W] of one size in a grid `columns` wide (row-major), each with its label in the
// top-left corner; the last row is padded with black cells.
Tensor image_grid(const std::vector<Tensor>& cells, const std::vector<std::string>& labels, int columns);

}  // namespace nfs
