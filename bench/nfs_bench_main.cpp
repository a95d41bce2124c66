// nfs_bench: the engine's speed and memory over a sweep of mesh sizes (SPEC §10): re-meshed ICT
// heads of 1k to 200k vertices (11248 = the ICT head itself), per device: operator precompute,
// render, prepare-target, retarget frames/s at batch 1 and batched, vertices/s, training steps/s,
// peak host and device memory and achieved decoder FLOP/s against the device's FP32 peak.
// A table on stdout, --json, --plot.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "geometry/mesh_arrays.h"
#include "geometry/mesh_operators.h"
#include "geometry/operator_io.h"
#include "geometry/plot.h"
#include "geometry/remesh.h"
#include "geometry/render.h"
#include "infer/cli.h"
#include "kernels/cpu_parallel.h"
#include "kernels/cuda_context.h"
#include "nn/checkpoint.h"
#include "nn/cuda_allocator.h"
#include "nn/mesh_forward.h"
#include "nn/prepared_target.h"
#include "nn/safetensors.h"
#include "train/ict_model.h"
#include "train/trainer.h"
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

using namespace nfs;

namespace {

struct Timing {
  double min = 0, median = 0;  // seconds
};

// Warm-up once, then `repeat` timed runs (device work is synchronized inside each run).
Timing time_it(int repeat, const std::function<void()>& f, Device dev) {
  auto sync = [&] {
#if NFS_WITH_CUDA
    if (dev == Device::CUDA) cuda::synchronize();
#endif
  };
  f();
  sync();
  std::vector<double> t;
  for (int i = 0; i < repeat; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    sync();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return {t.front(), t[t.size() / 2]};
}

double peak_fp32_flops(Device dev) {
#if NFS_WITH_CUDA
  if (dev == Device::CUDA) {
    int d = 0, sms = 0, khz = 0, major = 0;
    cudaGetDevice(&d);
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, d);
    cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, d);
    cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, d);
    const int lanes = major >= 8 ? 128 : 64;  // FP32 lanes per SM (Ampere/Hopper: 128)
    return 2.0 * lanes * sms * khz * 1e3;
  }
#endif
  // AVX2: two 8-wide FMA units per core.
  return 2.0 * 8 * 2 * double(std::max(1u, std::thread::hardware_concurrency())) * 2.5e9;
}

std::string device_description(Device dev) {
#if NFS_WITH_CUDA
  if (dev == Device::CUDA) {
    cudaDeviceProp p;
    cudaGetDeviceProperties(&p, 0);
    return p.name;
  }
#endif
  return std::to_string(cpu::cpu_threads()) + " CPU threads";
}

// Peak resident host memory since the last reset_host_peak() (VmHWM; Linux).
double host_peak_mb() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  return -1.0;
}
void reset_host_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Peak device memory of our allocator since the last reset (0 on the CPU).
double device_peak_mb(Device dev) {
#if NFS_WITH_CUDA
  if (dev == Device::CUDA) return cuda::allocator_stats().peak_in_use / 1048576.0;
#endif
  return 0.0;
}
void reset_peaks(Device dev) {
  reset_host_peak();
#if NFS_WITH_CUDA
  if (dev == Device::CUDA) {
    cuda::release_cached();
    cuda::reset_peak();
  }
#endif
}

// Training steps/s of the network `cfg` on a mesh of about n vertices: a Trainer on one identity
// whose only topology is the ICT triangulation (n = its vertex count) or one re-mesh of n vertices.
Timing time_training(const NfsConfig& cfg, const std::string& ict_path, int n, int ict_vertices, int batch,
                     int repeat, Device dev) {
  TrainConfig tc;
  tc.model = cfg;
  tc.device = device_name(dev);
  tc.batch = batch;
  tc.train_identities = 1;
  tc.ict_model = ict_path;
  tc.ict_topology = n == ict_vertices;
  if (!tc.ict_topology) tc.remesh_vertices = {n};
  Trainer trainer(tc);
  return time_it(repeat, [&] { trainer.step(); }, dev);
}

Tensor to_tensor(const Eigen::MatrixXd& V, int64_t batch) {
  std::vector<float> p;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < V.rows(); ++i)
      for (int k = 0; k < 3; ++k) p.push_back(float(V(i, k)));
  return Tensor::from_vector({batch, V.rows(), 3}, p);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CliArgs args(argc, argv, 1, {"--device", "--sizes", "--repeat", "--batch", "--json", "--plot", "--ict-model", "--model"},
                 {"--help", "--no-precompute", "--geometry-only", "--no-train"});
    if (args.has("--help")) {
      std::printf(
          "usage: nfs_bench [--device cpu|cuda|all] [--sizes 1000,5000,11248,...] [--batch 8] [--repeat 3]\n"
          "                 [--json OUT.json] [--plot OUT.png] [--no-precompute] [--geometry-only] [--no-train]\n"
          "                 [--model M.safetensors]\n"
          "  Times the engine on re-meshed ICT heads (11248 = the ICT head). Defaults: all devices;\n"
          "  sizes 1000,5000,11248,50000,200000 on CUDA and 1000,5000,11248 on the CPU.\n"
          "  --geometry-only times operators and rendering alone (no network).\n"
          "  --model times that checkpoint's network (default: the paper's configuration, random weights).\n"
          "  --no-train skips the training steps/s column (a Trainer at batch --batch on each size).\n"
          "  Memory columns: peak host RSS and peak device memory of the inference phase, then of training.\n");
      return 0;
    }
    std::vector<Device> devices;
    const std::string d = args.get("--device", "all");
    if (d == "all" || d == "cpu") devices.push_back(Device::CPU);
    if ((d == "all" && cuda_available()) || d == "cuda") devices.push_back(parse_device("cuda"));
    const int repeat = args.get_int("--repeat", 3), batch = args.get_int("--batch", 8);
    const std::string ict_path = args.get("--ict-model", default_ict_model_path());
    IctModel ict = load_ict_model(ict_path);
    std::vector<float> P = ict.neutral;
    ict.to_canonical(P);
    const Eigen::MatrixXd V0 = points_matrix(P);
    const Eigen::MatrixXi F0 = triangles_matrix(ict.triangles());

    nlohmann::json results = nlohmann::json::array();
    std::vector<PlotSeries> plot;
    std::printf("%-6s %-8s %9s %9s %9s %9s %11s %11s %12s %9s %9s %9s %9s %9s %9s\n", "device", "vertices",
                "precomp", "render", "prepare", "b1 fps", "batch fps", "vert/s", "dec GFLOP/s", "%peak", "train/s",
                "host MB", "dev MB", "trn host", "trn dev");
    for (Device dev : devices) {
      PlotSeries series;
      series.name = std::string(device_name(dev)) + " batch " + std::to_string(batch) + " frames/s";
      std::string sizes = args.get("--sizes", dev == Device::CUDA ? "1000,5000,11248,50000,200000" : "1000,5000,11248");
      std::stringstream ss(sizes);
      std::unique_ptr<NfsNetwork> model = args.has("--model") ? load_checkpoint(args.get("--model"), dev).network
                                                              : std::make_unique<NfsNetwork>(NfsConfig());
      NfsNetwork& net = *model;
      const NfsConfig& cfg = net.config;
      net.to(dev);
      for (std::string item; std::getline(ss, item, ',');) {
        const int n = parse_int(item, "--sizes");
        Eigen::MatrixXd V;
        Eigen::MatrixXi F;
        if (n == ict.num_vertices) {
          V = V0;
          F = F0;
        } else {
          Eigen::VectorXi I;
          Eigen::MatrixXd B;
          RemeshOptions ro;
          ro.target_vertices = n;
          remesh(V0, F0, ro, V, F, I, B);
        }
        double precompute = -1;
        geo::MeshOperators gops;
        if (!args.has("--no-precompute")) {
          auto t0 = std::chrono::steady_clock::now();
          geo::compute_mesh_operators(V, F, int(cfg.eigenpairs), gops);
          precompute = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        } else {
          gops = cached_mesh_operators(V, F, int(cfg.eigenpairs));
        }
        SpectralOperators ops = to_spectral(gops, dev);
        Tensor faces = triangles_tensor(F, dev);
        Tensor pos1 = to_tensor(V, 1).to(dev), posb = to_tensor(V, batch).to(dev);
        Tensor nrm1, nrmb, img1, imgb;
        {
          NoGradGuard g;
          nrm1 = vertex_normals(Var(pos1), faces).value();
          nrmb = vertex_normals(Var(posb), faces).value();
        }
        const RasterCamera cam = canonical_camera();
        Timing render = time_it(repeat, [&] { img1 = render_front(pos1, faces, cam); }, dev);
        imgb = render_front(posb, faces, cam);
        if (args.has("--geometry-only")) {
          std::printf("%-6s %-8lld %8.2fs %8.1fms\n", device_name(dev), (long long)V.rows(), precompute,
                      render.median * 1e3);
          results.push_back({{"device", device_name(dev)}, {"device_name", device_description(dev)},
                             {"vertices", V.rows()}, {"precompute_s", precompute},
                             {"render_ms", {{"min", render.min * 1e3}, {"median", render.median * 1e3}}}});
          continue;
        }
        reset_peaks(dev);
        PreparedTarget target;
        Timing prepare = time_it(repeat, [&] { target = prepare_target(net, pos1, nrm1, img1, ops); }, dev);
        // The source side as nfs_infer runs it (encode_source: the neutral, here the first frame,
        // is read by models with neutral offsets or segment pooling).
        PreparedMesh source;
        source.ops = ops;
        source.faces = faces;
        source.neutral = pos1.to_vector();
        auto encode = [&](const Tensor& p, const Tensor& n, const Tensor& im) {
          NoGradGuard no_grad;
          return encode_source(net, FrameBatch{p, n, im}, source, 0).value();
        };
        Timing b1 = time_it(repeat, [&] { decode_frames(net, target, encode(pos1, nrm1, img1)); }, dev);
        Timing bb = time_it(repeat, [&] { decode_frames(net, target, encode(posb, nrmb, imgb)); }, dev);
        Tensor z = encode(posb, nrmb, imgb);
        Timing dec = time_it(repeat, [&] { decode_frames(net, target, z); }, dev);
        const double H = double(cfg.decoder_hidden), C = double(cfg.code_dim);
        const double flops_per_vertex = 2.0 * (C * H + (cfg.decoder_hidden_layers - 1) * H * H + H * 3);
        const double gflops = flops_per_vertex * double(V.rows()) * batch / dec.median / 1e9;
        const double peak = peak_fp32_flops(dev);
        const double host_mb = host_peak_mb(), dev_mb = device_peak_mb(dev);
        double train_sps = -1, train_host_mb = -1, train_dev_mb = -1;
        if (!args.has("--no-train")) {
          target = PreparedTarget();
          reset_peaks(dev);
          train_sps = 1.0 / time_training(cfg, ict_path, n, ict.num_vertices, batch, repeat, dev).median;
          train_host_mb = host_peak_mb();
          train_dev_mb = device_peak_mb(dev);
        }
        const double fps1 = 1.0 / b1.median, fpsb = batch / bb.median;
        std::printf("%-6s %-8lld %8.2fs %8.1fms %8.1fms %9.2f %11.2f %11.3g %12.1f %8.1f%% %9.2f %9.0f %9.0f %9.0f %9.0f\n",
                    device_name(dev), (long long)V.rows(), precompute, render.median * 1e3, prepare.median * 1e3, fps1,
                    fpsb, fpsb * V.rows(), gflops, 100.0 * gflops * 1e9 / peak, train_sps, host_mb, dev_mb,
                    train_host_mb, train_dev_mb);
        std::fflush(stdout);
        series.x.push_back(double(V.rows()));
        series.y.push_back(fpsb);
        results.push_back({{"device", device_name(dev)},
                           {"device_name", device_description(dev)},
                           {"vertices", V.rows()},
                           {"precompute_s", precompute},
                           {"render_ms", {{"min", render.min * 1e3}, {"median", render.median * 1e3}}},
                           {"prepare_target_ms", {{"min", prepare.min * 1e3}, {"median", prepare.median * 1e3}}},
                           {"retarget_batch1_fps", fps1},
                           {"retarget_batched_fps", fpsb},
                           {"batch", batch},
                           {"vertices_per_s", fpsb * V.rows()},
                           {"decode_batched_ms", {{"min", dec.min * 1e3}, {"median", dec.median * 1e3}}},
                           {"decoder_gflops", gflops},
                           {"peak_fp32_gflops", peak / 1e9},
                           {"training_steps_per_s", train_sps},
                           {"training_batch", batch},
                           {"peak_host_mb", host_mb},
                           {"peak_device_mb", dev_mb},
                           {"training_peak_host_mb", train_host_mb},
                           {"training_peak_device_mb", train_dev_mb}});
      }
      plot.push_back(series);
    }
    if (args.has("--json")) write_file_atomic(args.get("--json"), results.dump(2));
    if (args.has("--plot")) {
      PlotOptions o;
      o.title = args.has("--model") ? "nfs_bench: retarget throughput (" + args.get("--model") + ")"
                              : "nfs_bench: retarget throughput (random weights, default network)";
      o.x_label = "vertices";
      o.y_label = "frames/s";
      o.log_x = o.log_y = true;
      write_line_plot(args.get("--plot"), plot, o);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nfs_bench: %s\n", e.what());
    return 1;
  }
}
