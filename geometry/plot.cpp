#include "geometry/plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "geometry/image_io.h"
#include "geometry/render.h"

// stb_easy_font defines static functions; keep it in this file only.
#include <stb/stb_easy_font.h>

namespace nfs {

namespace {

// The quads stb_easy_font draws for `s` at (0, 0): each as x0, y0, x1, y1 in font pixels.
std::vector<std::array<int, 4>> text_quads(const std::string& s) {
  std::vector<char> buffer(s.size() * 300 + 64);
  std::string copy = s;
  const int quads = stb_easy_font_print(0.0f, 0.0f, copy.data(), nullptr, buffer.data(), int(buffer.size()));
  const float* v = reinterpret_cast<const float*>(buffer.data());
  std::vector<std::array<int, 4>> out;
  for (int q = 0; q < quads; ++q) {
    const float* a = v + q * 4 * 4;  // 4 vertices of 16 bytes (x, y, z, rgba)
    out.push_back({int(std::min(a[0], a[8])), int(std::min(a[1], a[9])), int(std::max(a[0], a[8])),
                   int(std::max(a[1], a[9]))});
  }
  return out;
}

struct Canvas {
  int w, h;
  std::vector<uint8_t> px;
  Canvas(int w_, int h_) : w(w_), h(h_), px(size_t(w_) * h_ * 3, 255) {}
  void set(int x, int y, const uint8_t c[3]) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    for (int k = 0; k < 3; ++k) px[(size_t(y) * w + x) * 3 + k] = c[k];
  }
  void line(double x0, double y0, double x1, double y1, const uint8_t c[3], int thick = 1) {
    const int n = int(std::max(std::abs(x1 - x0), std::abs(y1 - y0))) + 1;
    for (int i = 0; i <= n; ++i) {
      const double t = double(i) / n;
      const int x = int(std::lround(x0 + t * (x1 - x0))), y = int(std::lround(y0 + t * (y1 - y0)));
      for (int dx = 0; dx < thick; ++dx)
        for (int dy = 0; dy < thick; ++dy) set(x + dx, y + dy, c);
    }
  }
  void text(double x, double y, const std::string& s, const uint8_t c[3]) {
    for (const auto& q : text_quads(s))
      for (int yy = q[1]; yy < q[3]; ++yy)
        for (int xx = q[0]; xx < q[2]; ++xx) set(int(x) + xx, int(y) + yy, c);
  }
};

const uint8_t kPalette[12][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                                 {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                 {188, 189, 34}, {23, 190, 207}, {0, 0, 0}, {120, 0, 60}};

std::string format_tick(double v, bool log) {
  char buf[32];
  if (log) std::snprintf(buf, sizeof(buf), "%.0e", v);
  else std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

}  // namespace

void write_line_plot(const std::string& path, const std::vector<PlotSeries>& series, const PlotOptions& o) {
  Canvas c(o.width, o.height);
  const int left = 70, right = 170, top = 30, bottom = 40;
  const double pw = o.width - left - right, ph = o.height - top - bottom;
  auto tx = [&](double v) { return o.log_x ? std::log10(v) : v; };
  auto ty = [&](double v) { return o.log_y ? std::log10(v) : v; };
  auto usable = [&](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && (!o.log_x || x > 0) && (!o.log_y || y > 0);
  };
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const PlotSeries& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (usable(s.x[i], s.y[i])) {
        x0 = std::min(x0, tx(s.x[i]));
        x1 = std::max(x1, tx(s.x[i]));
        y0 = std::min(y0, ty(s.y[i]));
        y1 = std::max(y1, ty(s.y[i]));
      }
  if (x0 > x1) x0 = 0, x1 = 1;
  if (y0 > y1) y0 = 0, y1 = 1;
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  if (y1 - y0 < 1e-12) y1 = y0 + 1;
  if (o.log_y) y0 = std::floor(y0), y1 = std::ceil(y1);
  auto sx = [&](double v) { return left + (tx(v) - x0) / (x1 - x0) * pw; };
  auto sy = [&](double v) { return top + ph - (ty(v) - y0) / (y1 - y0) * ph; };
  const uint8_t black[3] = {0, 0, 0}, grid[3] = {225, 225, 225};
  // Grid and tick labels: 5 divisions, or one per decade on a log axis.
  const int ny = o.log_y ? int(y1 - y0) : 5;
  for (int i = 0; i <= ny; ++i) {
    const double yv = y0 + (y1 - y0) * i / ny;
    const double py = top + ph - ph * i / ny;
    c.line(left, py, left + pw, py, grid);
    c.text(4, py - 4, format_tick(o.log_y ? std::pow(10.0, yv) : yv, o.log_y), black);
  }
  for (int i = 0; i <= 5; ++i) {
    const double xv = x0 + (x1 - x0) * i / 5, px = left + pw * i / 5;
    c.line(px, top, px, top + ph, grid);
    c.text(px - 10, top + ph + 6, format_tick(o.log_x ? std::pow(10.0, xv) : xv, false), black);
  }
  c.line(left, top, left, top + ph, black);
  c.line(left, top + ph, left + pw, top + ph, black);
  // The y label sits top left; the title starts after it (6 px a glyph) so the two never overlap.
  c.text(std::max(left, 4 + 6 * int(o.y_label.size()) + 12), 10, o.title, black);
  c.text(left + pw / 2 - 20, o.height - 14, o.x_label, black);
  c.text(4, 10, o.y_label, black);
  for (size_t k = 0; k < series.size(); ++k) {
    const uint8_t* col = kPalette[k % 12];
    const PlotSeries& s = series[k];
    bool have = false;
    double px = 0, py = 0;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!usable(s.x[i], s.y[i])) continue;  // sparse series (validation) join their points
      const double qx = sx(s.x[i]), qy = sy(s.y[i]);
      if (have) c.line(px, py, qx, qy, col, 2);
      else c.line(qx, qy, qx, qy, col, 3);
      px = qx, py = qy, have = true;
    }
    const double ly = top + 14.0 * k + 4;
    c.line(left + pw + 10, ly + 3, left + pw + 30, ly + 3, col, 2);
    c.text(left + pw + 36, ly, s.name, black);
  }
  write_png(path, o.width, o.height, 3, c.px);
}

void draw_text(Tensor& image, int x, int y, const std::string& text, const float rgb[3], int scale) {
  if (image.ndim() != 3 || image.size(0) != 3 || image.is_cuda())
    throw std::invalid_argument("draw_text: expected a CPU image [3, H, W], got " + image.shape().str());
  const int64_t H = image.size(1), W = image.size(2);
  float* px = image.f32();
  for (const auto& q : text_quads(text))
    for (int64_t yy = int64_t(y) + q[1] * scale; yy < int64_t(y) + q[3] * scale; ++yy)
      for (int64_t xx = int64_t(x) + q[0] * scale; xx < int64_t(x) + q[2] * scale; ++xx)
        if (yy >= 0 && yy < H && xx >= 0 && xx < W)
          for (int c = 0; c < 3; ++c) px[(c * H + yy) * W + xx] = rgb[c];
}

namespace {
const float kLabelColor[3] = {1.0f, 0.85f, 0.3f};
}

Tensor image_grid(const std::vector<Tensor>& cells, const std::vector<std::string>& labels, int columns) {
  if (cells.empty()) throw std::invalid_argument("image_grid: no images");
  const int64_t H = cells[0].size(1), W = cells[0].size(2);
  const int scale = H >= 192 ? 2 : 1;
  std::vector<Tensor> rows;
  for (size_t start = 0; start < cells.size(); start += size_t(columns)) {
    std::vector<Tensor> row;
    for (size_t i = start; i < start + size_t(columns); ++i) {
      if (i >= cells.size()) {
        row.push_back(Tensor::zeros({3, H, W}));
        continue;
      }
      Tensor c = cells[i].to(Device::CPU).clone();
      // Large letters where the label fits (stb_easy_font: about 6 pixels per character).
      const int sc = i < labels.size() && int64_t(labels[i].size()) * 6 * scale + 8 > W ? 1 : scale;
      if (i < labels.size()) draw_text(c, 4, 4, labels[i], kLabelColor, sc);
      row.push_back(c);
    }
    rows.push_back(hstack_images(row));
  }
  return vstack_images(rows);
}

}  // namespace nfs
