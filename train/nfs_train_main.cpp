// nfs_train: trains the NFS network on the ICT-FaceKit model (SPEC §6) and evaluates
// checkpoints (SPEC §7).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "geometry/plot.h"
#include "infer/cli.h"
#include "nn/checkpoint.h"
#include "nn/safetensors.h"
#include "train/evaluate.h"
#include "train/trainer.h"

using namespace nfs;

namespace {

void print_help() {
  std::printf(
      "nfs_train: train the Neural Face Skinning network on the ICT-FaceKit model\n\n"
      "usage: nfs_train [options]            train (or --resume) into --out\n"
      "       nfs_train --eval MODEL.safetensors [--report REPORT.md] [--pictures PREFIX]\n\n"
      "options:\n"
      "  --config FILE        JSON configuration (keys as in <out>/train_config.json)\n"
      "  --preset NAME        cpu-small (trains usefully on 2 CPU cores), gpu (the paper's network with\n"
      "                       the CPU recipe's departures) or paper (the paper's recipe, the default)\n"
      "  --device D           cpu, cuda or auto (default auto)\n"
      "  --steps N            total optimisation steps\n"
      "  --batch B            expressions per step (one source onto one target)\n"
      "  --segments L         skinning segments: 6, 14, 20 or 24\n"
      "  --width W            DiffusionNet width\n"
      "  --lr X               Adam learning rate\n"
      "  --lr-decay-every N   multiply the rate by lr_decay (0.5) every N steps (0: constant)\n"
      "  --dropout P          DiffusionNet dropout\n"
      "  --identities N       training identities used (1..100)\n"
      "  --init-from M.safetensors  warm start: the tensors of M whose names and shapes match\n"
      "  --validate-every N   validation period in steps\n"
      "  --checkpoint-every N checkpoint period in steps\n"
      "  --no-skinning        the ablation without skinning encoder (ω = 1, no L_nll)\n"
      "  --out DIR            run folder: checkpoints, log.csv, losses.png (default runs/nfs)\n"
      "  --resume             continue the run in --out from its last checkpoint\n"
      "  --eval MODEL         evaluate a checkpoint (its training configuration decides the data)\n"
      "  --report FILE        where --eval writes its Markdown (default: print)\n"
      "  --pictures PREFIX    with --eval: PREFIX_self.png, _cross_topology.png, _stylized.png (source |\n"
      "                       result | ground truth | error for three test identities), PREFIX_rig_<kind>.png\n"
      "                       (the 53 shapes, truth beside prediction) and PREFIX_warps.png\n"
      "  --align MODE         with --eval: none (default: the test targets are canonical already), or\n"
      "                       auto / bbox to align them as nfs_infer does and include its error\n");
}

std::string duration(double s) {
  char b[32];
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) std::snprintf(b, sizeof(b), "%.0fs", s);
  else if (s < 3600) std::snprintf(b, sizeof(b), "%dm%02ds", int(s) / 60, int(s) % 60);
  else std::snprintf(b, sizeof(b), "%dh%02dm", int(s) / 3600, (int(s) / 60) % 60);
  return b;
}

// log.csv rows up to `step` (a resumed run rewrites what followed its checkpoint).
std::vector<std::string> read_log(const std::string& path, int64_t step) {
  std::vector<std::string> rows;
  std::ifstream f(path);
  for (std::string line; std::getline(f, line);) {
    if (rows.empty()) {
      rows.push_back(line);  // header
      continue;
    }
    if (std::atoll(line.c_str()) <= step) rows.push_back(line);
  }
  return rows;
}

// losses.png: every loss and the validation MSE (log scale); components.png: the per-component
// validation numbers (val_*: R², accuracy, rig error; linear scale, where 1 = perfect or none).
void write_loss_plot(const std::string& dir, const std::vector<std::string>& rows) {
  if (rows.size() < 2) return;
  std::vector<std::string> names;
  std::stringstream header(rows[0]);
  for (std::string c; std::getline(header, c, ',');) names.push_back(c);
  std::vector<PlotSeries> series(names.size());
  for (size_t k = 0; k < names.size(); ++k) series[k].name = names[k];
  for (size_t r = 1; r < rows.size(); ++r) {
    std::stringstream ss(rows[r]);
    std::vector<double> v;
    for (std::string c; std::getline(ss, c, ',');) v.push_back(c.empty() ? NAN : std::atof(c.c_str()));
    for (size_t k = 2; k < names.size() && k < v.size(); ++k) {
      if (std::isnan(v[k])) continue;
      series[k].x.push_back(v[0]);
      series[k].y.push_back(v[k]);
    }
  }
  std::vector<PlotSeries> losses, components;
  for (size_t k = 2; k < series.size(); ++k) {  // skip step, lr
    if (series[k].y.empty()) continue;
    (series[k].name.rfind("val_", 0) == 0 ? components : losses).push_back(series[k]);
  }
  PlotOptions o;
  o.title = "nfs_train losses and validation MSE";
  o.x_label = "step";
  o.y_label = "loss";
  o.log_y = true;
  write_line_plot(dir + "/losses.png", losses, o);
  if (components.empty()) return;
  o.title = "nfs_train validation per component (exp R2, id error, skin accuracy, rig error)";
  o.y_label = "value";
  o.log_y = false;
  write_line_plot(dir + "/components.png", components, o);
}

int run_eval(const CliArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  const std::string model_path = args.require("--eval");
  LoadedCheckpoint ck = load_checkpoint(model_path, parse_device(args.get("--device", "auto")));
  auto tc = ck.metadata.find("train_config");
  TrainConfig cfg = tc != ck.metadata.end() ? TrainConfig::from_json(tc->second, model_path) : TrainConfig();
  cfg.model = ck.network->config;
  cfg.device = args.get("--device", "auto");
  cfg.train_identities = 1;  // evaluation needs no training operators
  auto say = [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); };
  Trainer data(cfg, say);
  EvaluationOptions options;
  options.pictures_prefix = args.get("--pictures", "");
  const std::string align = args.get("--align", "none");
  if (align == "auto") options.align.mode = AlignMode::kAuto;
  else if (align == "bbox") options.align.mode = AlignMode::kBoundingBox;
  else if (align != "none") throw std::invalid_argument("--align: expected auto, bbox or none, got '" + align + "'");
  EvaluationReport r = evaluate(data, *ck.network, options, say);
  std::printf("%s\n", r.summary.c_str());
  std::string md = "# Evaluation of " + model_path + "\n\n" + r.markdown;
  if (args.has("--report")) {
    write_file_atomic(args.get("--report"), md);
    std::printf("report written to %s\n", args.get("--report").c_str());
  } else {
    std::printf("%s", md.c_str());
  }
  std::fprintf(stderr, "evaluation took %.0f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}

int run_train(const CliArgs& args) {
  TrainConfig cfg;
  const std::string preset = args.get("--preset", "paper");
  if (preset == "cpu-small") cfg = cpu_small_config();
  else if (preset == "gpu") cfg = gpu_config();
  else if (preset != "paper") throw std::invalid_argument("--preset: unknown preset '" + preset + "'");
  const std::string out = args.get("--out", cfg.out);
  const bool resume = args.has("--resume");
  if (resume) {
    cfg = TrainConfig::from_json(read_text_file(out + "/train_config.json"), out + "/train_config.json");
  } else if (args.has("--config")) {
    cfg = TrainConfig::from_json(read_text_file(args.get("--config")), args.get("--config"));
  }
  cfg.out = out;
  if (args.has("--device")) cfg.device = args.get("--device");
  cfg.steps = args.get_int("--steps", cfg.steps);
  if (!resume) {
    cfg.batch = args.get_int("--batch", cfg.batch);
    cfg.model.segments = args.get_int("--segments", int(cfg.model.segments));
    cfg.model.width = args.get_int("--width", int(cfg.model.width));
    cfg.lr = float(args.get_double("--lr", cfg.lr));
    cfg.lr_decay_every = args.get_int("--lr-decay-every", cfg.lr_decay_every);
    cfg.model.dropout = float(args.get_double("--dropout", cfg.model.dropout));
    cfg.train_identities = args.get_int("--identities", cfg.train_identities);
    cfg.init_from = args.get("--init-from", cfg.init_from);
    if (args.has("--no-skinning")) {
      cfg.model.skinning = false;
      cfg.model.exp_segment_pool = false;  // its segments come from the skinning encoder
      cfg.use_skin_loss = false;
    }
  }
  cfg.validate_every = args.get_int("--validate-every", cfg.validate_every);
  cfg.checkpoint_every = args.get_int("--checkpoint-every", cfg.checkpoint_every);
  cfg = TrainConfig::from_json(cfg.to_json(), "command line");  // one validation path

  std::filesystem::create_directories(out);
  write_file_atomic(out + "/train_config.json", cfg.to_json());
  auto say = [](const std::string& s) { std::fprintf(stderr, "  %s\n", s.c_str()); };
  std::fprintf(stderr, "nfs_train: setting up (%s)\n", cfg.device.c_str());
  Trainer trainer(cfg, say);
  std::fprintf(stderr, "nfs_train: %lld parameters on %s, %zu topologies, %d identities\n",
               (long long)trainer.network().num_parameters(), device_name(trainer.device()),
               trainer.topologies().size(), cfg.train_identities);
  if (!resume) trainer.warm_start(say);
  if (resume) {
    trainer.load_state(out);
    std::fprintf(stderr, "nfs_train: resumed at step %lld\n", (long long)trainer.step_index());
  }

  std::vector<std::string> log = resume ? read_log(out + "/log.csv", trainer.step_index()) : std::vector<std::string>{};
  std::string header = "step,lr";
  for (const std::string& n : StepLosses::names()) header += "," + n;
  header +=
      ",validation_mse,validation_mean_segments,val_exp_r2,val_exp_tail,val_id_vertex,val_skin_acc,"
      "val_rig_error,"
      "val_rig_shape_mean";
  // A log written before the last columns existed gets the new header; its rows end early.
  if (log.empty())
    log.push_back(header);
  else if (header.rfind(log[0], 0) == 0)
    log[0] = header;
  const bool tty = isatty(fileno(stderr));
  auto flush_log = [&] {
    std::string text;
    for (const std::string& r : log) text += r + "\n";
    write_file_atomic(out + "/log.csv", text);
    write_loss_plot(out, log);
  };
  const auto start = std::chrono::steady_clock::now();
  const int64_t first = trainer.step_index();
  // Validation: the retarget MSE and the per-component numbers, as log columns and one line.
  auto validation = [&](int64_t s) {
    QualityMetrics m = trainer.validate();
    ComponentMetrics c = trainer.validate_components();
    std::fprintf(
        stderr,
        "%sstep %lld: validation MSE %.4e (%.2f of Δv = 0) | exp R² %.3f tail %.3f | id err %.3f | "
        "skin acc %.3f | rig err %.3f (mean of shapes %.3f)\n",
        tty ? "\n" : "", (long long)s, m.mse, m.baseline_mse > 0 ? m.mse / m.baseline_mse : 0.0,
        c.exp_r2, c.exp_tail, c.id_vertex, c.skin_accuracy, c.rig_error, c.rig_error_shape_mean);
    char b[256];
    std::snprintf(b, sizeof(b), ",%.6e,%.6e,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f", m.mse,
                  m.mean_of_segments, c.exp_r2, c.exp_tail, c.id_vertex, c.skin_accuracy,
                  c.rig_error, c.rig_error_shape_mean);
    return std::string(b);
  };
  if (first == 0)
    log.push_back("0," + std::to_string(trainer.current_lr()) + std::string(StepLosses::names().size(), ',') +
                  validation(0));
  while (trainer.step_index() < cfg.steps) {
    const float lr = trainer.current_lr();
    StepLosses l = trainer.step();
    const int64_t s = trainer.step_index();
    std::string row = std::to_string(s) + "," + std::to_string(lr);
    for (double v : l.values()) row += "," + std::to_string(v);
    const bool validate = cfg.validate_every > 0 && (s % cfg.validate_every == 0 || s == cfg.steps);
    row += validate ? validation(s) : std::string(8, ',');
    log.push_back(row);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = double(s - first) / elapsed;
    if (tty || s % std::max(1, cfg.log_every) == 0 || s == cfg.steps) {
      const int width = 24, filled = int(width * double(s) / std::max(1, cfg.steps));
      std::fprintf(stderr, "%s[%s%s] %lld/%d %.2f step/s ETA %s loss %.4g (v %.3g n %.3g g %.3g id %.3g exp %.3g bp %.3g br %.3g bw %.3g skin %.3g)%s",
                   tty ? "\r" : "", std::string(filled, '=').c_str(), std::string(width - filled, ' ').c_str(),
                   (long long)s, cfg.steps, rate, duration((cfg.steps - s) / rate).c_str(), l.total, l.vertex,
                   l.normal, l.jacobian, l.identity, l.expression, l.projection, l.reconstruction, l.weights, l.skin,
                   tty ? "" : "\n");
    }
    if ((cfg.checkpoint_every > 0 && s % cfg.checkpoint_every == 0) || s == cfg.steps) {
      trainer.save(out);
      flush_log();
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  trainer.save(out);
  flush_log();
  std::printf("nfs_train: %lld steps done; model %s/model.safetensors, log %s/log.csv, plot %s/losses.png\n",
              (long long)trainer.step_index(), out.c_str(), out.c_str(), out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CliArgs args(argc, argv, 1,
                 {"--config", "--preset", "--device", "--steps", "--batch", "--segments", "--width", "--lr", "--lr-decay-every", "--dropout",
                  "--identities", "--init-from", "--validate-every", "--checkpoint-every", "--out", "--eval", "--report", "--pictures", "--align"},
                 {"--help", "--resume", "--no-skinning"});
    if (args.has("--help")) {
      print_help();
      return 0;
    }
    if (!args.positional().empty())
      throw std::invalid_argument("unexpected argument '" + args.positional()[0] + "' (see --help)");
    return args.has("--eval") ? run_eval(args) : run_train(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nfs_train: %s\n", e.what());
    return 1;
  }
}
