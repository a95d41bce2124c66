#include "infer/engine.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "geometry/mesh_arrays.h"
#include "geometry/render.h"
#include "nn/checkpoint.h"

namespace nfs {

std::string default_model_path() {
  // A user's own default first; then the sources' models/ (a build tree); then an installed copy,
  // beside the running binary (PREFIX/bin/../share/nfs/models, whatever --prefix installed it) or
  // under the configured prefix (the Python module, whose binary is python3).
  if (const char* env = std::getenv("NFS_MODEL"); env != nullptr && *env != '\0') return env;
  const std::string file = "nfs_default.safetensors";
  std::vector<std::string> candidates;
#ifdef NFS_DEFAULT_MODEL_DIR
  candidates.push_back(std::string(NFS_DEFAULT_MODEL_DIR) + "/" + file);
#else
  candidates.push_back("models/" + file);
#endif
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec)
    candidates.push_back((exe.parent_path().parent_path() / "share/nfs/models" / file).string());
#ifdef NFS_INSTALLED_MODEL_DIR
  candidates.push_back(std::string(NFS_INSTALLED_MODEL_DIR) + "/" + file);
#endif
  for (const std::string& c : candidates)
    if (std::filesystem::exists(c, ec)) return c;
  return candidates.front();
}

Engine::Engine(const EngineOptions& options) : options_(options), device_(parse_device(options.device)) {
  const std::string model = options.model.empty() ? default_model_path() : options.model;
  if (!std::filesystem::exists(model))
    throw std::runtime_error(model + ": no such model (train one with nfs_train, or pass --model)");
  net_ = std::move(load_checkpoint(model, device_).network);
  net_->train(false);
  ict_ = load_ict_model(options.ict_model.empty() ? default_ict_model_path() : options.ict_model);
}


std::unique_ptr<Engine::Target> Engine::prepare_target(const std::string& path, const AlignOptions& align) {
  geo::TriangleMesh mesh;
  load_any_mesh(path, mesh);
  return prepare_target(std::move(mesh), path, align);
}

std::unique_ptr<Engine::Target> Engine::prepare_target(geo::TriangleMesh mesh, const std::string& name,
                                                       const AlignOptions& align) {
  auto t = std::make_unique<Target>();
  t->mesh = canonical_mesh(std::move(mesh), name, align, ict_);
  t->topology.name = name;
  t->topology.F = t->mesh.mesh.F;
  t->topology.num_vertices = t->mesh.V.rows();
  t->geometry = prepare_mesh(t->topology, points_vector(t->mesh.V), int(net_->config.eigenpairs), device_);
  FrameBatch frames = make_frames(t->geometry.neutral, 1, t->geometry, net_->config.camera, device_);
  t->prepared = nfs::prepare_target(*net_, frames.positions, frames.normals, frames.images, t->geometry.ops);
  return t;
}

std::unique_ptr<Engine::Sources> Engine::load_sources(const std::vector<std::string>& sources,
                                                      const AlignOptions& align, const std::string& neutral) {
  if (sources.empty()) throw std::invalid_argument("no source mesh given");
  const std::string& neutral_path = neutral.empty() ? sources[0] : neutral;
  geo::TriangleMesh first;
  load_any_mesh(neutral_path, first);
  std::vector<Eigen::MatrixXd> frames;
  for (const std::string& path : sources)
    for (Eigen::MatrixXd& V : source_frames(path)) {
      if (V.rows() != first.V().rows())
        throw std::runtime_error(path + ": " + std::to_string(V.rows()) + " vertices, the source's " +
                                 (neutral.empty() ? "first frame " : "neutral ") + neutral_path + " has " +
                                 std::to_string(first.V().rows()));
      frames.push_back(std::move(V));
    }
  return load_sources(std::move(first), neutral_path, frames, align);
}

std::unique_ptr<Engine::Sources> Engine::load_sources(geo::TriangleMesh neutral, const std::string& name,
                                                      const std::vector<Eigen::MatrixXd>& frames,
                                                      const AlignOptions& align) {
  if (frames.empty()) throw std::invalid_argument("no source frame given");
  auto s = std::make_unique<Sources>();
  CanonicalMesh first = canonical_mesh(std::move(neutral), name, align, ict_);
  s->topology.name = name;
  s->topology.F = first.mesh.F;
  s->topology.num_vertices = first.V.rows();
  s->mesh = prepare_mesh(s->topology, points_vector(first.V), int(net_->config.eigenpairs), device_);
  for (size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].rows() != first.V.rows() || frames[i].cols() != 3)
      throw std::invalid_argument("source frame " + std::to_string(i) + ": " + std::to_string(frames[i].rows()) +
                                  " vertices, the source's neutral " + name + " has " + std::to_string(first.V.rows()));
    s->frames.push_back(points_vector(first.to_canonical.apply(frames[i])));
  }
  return s;
}

Tensor Engine::encode(const std::vector<std::string>& sources, const AlignOptions& align,
                      const std::string& neutral) {
  return encode(*load_sources(sources, align, neutral));
}

Tensor Engine::encode(const Sources& s, const Progress& progress) {
  const std::vector<std::vector<float>>& frames = s.frames;
  std::vector<float> codes;
  const int64_t D = net_->config.code_dim;
  for (size_t start = 0; start < frames.size(); start += size_t(options_.batch)) {
    const size_t end = std::min(frames.size(), start + size_t(options_.batch));
    std::vector<float> flat;
    for (size_t i = start; i < end; ++i) flat.insert(flat.end(), frames[i].begin(), frames[i].end());
    FrameBatch b = make_frames(flat, int64_t(end - start), s.mesh, net_->config.camera, device_);
    NoGradGuard no_grad;
    std::vector<float> z = encode_source(*net_, b, s.mesh, 0).value().to_vector();
    codes.insert(codes.end(), z.begin(), z.end());
    if (progress) progress(int64_t(end), int64_t(frames.size()));
  }
  return Tensor::from_vector({int64_t(frames.size()), D}, codes);
}

Tensor Engine::codes_from_weights(const std::vector<float>& weights, int num_frames) const {
  const int64_t D = net_->config.code_dim, E = net_->config.num_expression;
  if (int64_t(weights.size()) != num_frames * E)
    throw std::invalid_argument("codes_from_weights: " + std::to_string(weights.size()) + " weights for " +
                                std::to_string(num_frames) + " frames of " + std::to_string(E));
  std::vector<float> z(static_cast<size_t>(num_frames * D), 0.0f);
  for (int f = 0; f < num_frames; ++f)
    for (int64_t e = 0; e < E; ++e) z[f * D + e] = weights[f * E + e];
  return Tensor::from_vector({num_frames, D}, z);
}

std::vector<float> Engine::weights_from_codes(const Tensor& codes) const {
  const int64_t N = codes.size(0), D = codes.size(1), E = net_->config.num_expression;
  const std::vector<float> all = codes.to_vector();
  std::vector<float> w(static_cast<size_t>(N * E));
  for (int64_t f = 0; f < N; ++f)
    for (int64_t e = 0; e < E; ++e) w[f * E + e] = all[f * D + e];
  return w;
}

std::vector<std::vector<float>> Engine::decode(const Target& target, const Tensor& codes, const Progress& progress) {
  const int64_t N = codes.size(0), D = codes.size(1), V = target.topology.num_vertices;
  if (D != net_->config.code_dim)
    throw std::invalid_argument("decode: codes of " + std::to_string(D) + " entries, the model's have " +
                                std::to_string(net_->config.code_dim));
  std::vector<float> all = codes.to_vector();
  std::vector<std::vector<float>> out;
  for (int64_t start = 0; start < N; start += options_.batch) {
    const int64_t n = std::min<int64_t>(options_.batch, N - start);
    Tensor z = Tensor::from_vector({n, D}, std::vector<float>(all.begin() + start * D, all.begin() + (start + n) * D),
                                   device_);
    std::vector<float> delta = decode_frames(*net_, target.prepared, z).to_vector();
    for (int64_t f = 0; f < n; ++f) {
      Eigen::MatrixXd P(V, 3);
      for (int64_t v = 0; v < V; ++v)
        for (int k = 0; k < 3; ++k) P(v, k) = target.mesh.V(v, k) + delta[(f * V + v) * 3 + k];
      out.push_back(points_vector(target.mesh.to_user.apply(P)));
    }
    if (progress) progress(start + n, N);
  }
  return out;
}

EngineOptions engine_options_from_args(const CliArgs& args) {
  EngineOptions o;
  o.model = args.get("--model");
  o.device = args.get("--device", "auto");
  o.ict_model = args.get("--ict-model");
  return o;
}

std::vector<std::string> source_paths_from_args(const CliArgs& args) {
  std::vector<std::string> s = args.all("--source");
  for (const std::string& p : args.positional()) s.push_back(p);
  if (s.empty()) throw std::invalid_argument("no --source mesh given");
  return s;
}

std::vector<float> one_euro_filter(const std::vector<float>& x, int N, int D, double fps, double min_cutoff,
                                   double beta, double d_cutoff) {
  auto alpha = [&](double cutoff) {
    const double tau = 1.0 / (2.0 * M_PI * cutoff), te = 1.0 / fps;
    return 1.0 / (1.0 + tau / te);
  };
  std::vector<float> y = x;
  for (int d = 0; d < D; ++d) {
    double prev = x[d], dprev = 0.0;
    for (int f = 1; f < N; ++f) {
      const double v = x[size_t(f) * D + d];
      const double dx = (v - prev) * fps;
      dprev = dprev + alpha(d_cutoff) * (dx - dprev);
      const double cutoff = min_cutoff + beta * std::abs(dprev);
      prev = prev + alpha(cutoff) * (v - prev);
      y[size_t(f) * D + d] = float(prev);
    }
  }
  return y;
}

}  // namespace nfs
