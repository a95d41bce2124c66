// nfs_tools plot-logs: learning curves of several runs side by side (recipes are compared by
// their curves, not by single checkpoints): one column of each run's log.csv against the step,
// or against CPU time when the runs' step rates are given.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "geometry/plot.h"
#include "infer/cli.h"
#include "tools/commands.h"

namespace nfs {

namespace {
// The (step, value) pairs of column `name` in a log.csv, rows where it is empty skipped.
PlotSeries read_column(const std::string& path, const std::string& name) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::string line;
  if (!std::getline(f, line)) throw std::runtime_error(path + ": empty");
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) header.push_back(c);
  int column = -1;
  for (size_t k = 0; k < header.size(); ++k)
    if (header[k] == name) column = int(k);
  if (column < 0) throw std::runtime_error(path + ": no column '" + name + "'");
  PlotSeries s;
  while (std::getline(f, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    if (int(cells.size()) <= column || cells[column].empty()) continue;
    s.x.push_back(std::atof(cells[0].c_str()));
    s.y.push_back(std::atof(cells[column].c_str()));
  }
  return s;
}
}  // namespace

int cmd_plot_logs(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"-o", "--column", "--title", "--label", "--steps-per-second"}, {"--help", "--log-y"});
  if (args.has("--help") || args.positional().empty()) {
    std::printf(
        "usage: nfs_tools plot-logs RUN/log.csv... --column NAME -o PLOT.png [--label NAME]... [--log-y]\n"
        "                           [--steps-per-second R]... [--title T]\n"
        "  One curve per log: column NAME (e.g. val_rig_error, val_exp_r2, validation_mse) against the\n"
        "  step, or against CPU minutes when every run's step rate is given (equal-CPU-time comparison).\n");
    return args.has("--help") ? 0 : 2;
  }
  const std::string column = args.require("--column");
  const std::vector<std::string> labels = args.all("--label"), rates = args.all("--steps-per-second");
  if (!rates.empty() && rates.size() != args.positional().size())
    throw std::invalid_argument("--steps-per-second: give one rate per log");
  std::vector<PlotSeries> series;
  for (size_t i = 0; i < args.positional().size(); ++i) {
    PlotSeries s = read_column(args.positional()[i], column);
    s.name = i < labels.size() ? labels[i] : args.positional()[i];
    if (!rates.empty()) {
      const double r = parse_double(rates[i], "--steps-per-second");
      for (double& x : s.x) x /= 60.0 * r;
    }
    series.push_back(std::move(s));
  }
  PlotOptions o;
  o.title = args.get("--title", column);
  o.x_label = rates.empty() ? "step" : "CPU minutes (one core)";
  o.y_label = column;
  o.log_y = args.has("--log-y");
  write_line_plot(args.require("-o"), series, o);
  std::printf("%s: %zu curves of %s\n", args.require("-o").c_str(), series.size(), column.c_str());
  return 0;
}

}  // namespace nfs
