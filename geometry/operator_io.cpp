#include "geometry/operator_io.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "geometry/csr_arrays.h"
#include "nn/safetensors.h"

namespace nfs {

namespace {

constexpr int kOperatorFormat = 1;

// An entry written before entries had checksums: replaced without a warning, it is not damaged.
struct NoChecksum : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// FNV-1a, 64 bit: the cache key of a mesh and the checksum of an operator file's tensors.
struct Fnv1a {
  uint64_t h = 1469598103934665603ull;
  void mix(const void* data, size_t bytes) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  }
};

// Over every tensor's name, shape and bytes in name order: a flipped bit or a truncated rewrite
// that still parses is caught before a cached operator is used.
std::string tensors_checksum(const std::map<std::string, Tensor>& tensors) {
  Fnv1a f;
  for (const auto& [name, t] : tensors) {
    f.mix(name.data(), name.size());
    const std::string shape = t.shape().str();
    f.mix(shape.data(), shape.size());
    f.mix(t.raw(), size_t(t.numel()) * dtype_size(t.dtype()));
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)f.h);
  return hex;
}

void put_csr(std::map<std::string, Tensor>& out, const std::string& name, const Eigen::SparseMatrix<double>& A) {
  std::vector<int32_t> indptr, indices;
  std::vector<float> values;
  geo::csr_arrays(A, indptr, indices, values);
  out[name + "_indptr"] = Tensor::from_ints({int64_t(indptr.size())}, indptr);
  out[name + "_indices"] = Tensor::from_ints({int64_t(indices.size())}, indices);
  out[name + "_data"] = Tensor::from_vector({int64_t(values.size())}, values);
}

Eigen::SparseMatrix<double> get_csr(const SafetensorsFile& f, const std::string& name, int64_t rows, int64_t cols) {
  // CsrMatrix::from_host validates the structure (monotone offsets, columns in range).
  CsrMatrix m = CsrMatrix::from_host(rows, cols, f.at(name + "_indptr").to_int_vector(),
                                     f.at(name + "_indices").to_int_vector(), f.at(name + "_data").to_vector());
  std::vector<int32_t> p = m.indptr.to_int_vector(), c = m.indices.to_int_vector();
  std::vector<float> v = m.values.to_vector();
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(v.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int32_t j = p[r]; j < p[r + 1]; ++j) t.emplace_back(int(r), c[j], v[j]);
  Eigen::SparseMatrix<double> A(rows, cols);
  A.setFromTriplets(t.begin(), t.end());
  return A;
}

Tensor matrix_tensor(const Eigen::MatrixXd& M) {
  std::vector<float> v(static_cast<size_t>(M.size()));
  for (int64_t r = 0; r < M.rows(); ++r)
    for (int64_t c = 0; c < M.cols(); ++c) v[r * M.cols() + c] = float(M(r, c));
  return Tensor::from_vector({M.rows(), M.cols()}, v);
}

Eigen::MatrixXd tensor_matrix(const Tensor& t) {
  std::vector<float> v = t.to_vector();
  Eigen::MatrixXd M(t.size(0), t.size(1));
  for (int64_t r = 0; r < M.rows(); ++r)
    for (int64_t c = 0; c < M.cols(); ++c) M(r, c) = v[r * M.cols() + c];
  return M;
}

}  // namespace

void write_operators(const std::string& path, const geo::MeshOperators& ops, int64_t num_faces) {
  const int64_t V = ops.mass.size(), K = ops.evals.size();
  std::map<std::string, Tensor> t;
  t["mass"] = matrix_tensor(ops.mass).reshape({V});
  t["evals"] = matrix_tensor(ops.evals).reshape({K});
  t["evecs"] = matrix_tensor(ops.evecs);
  put_csr(t, "L", ops.L);
  put_csr(t, "gradX", ops.gradX);
  put_csr(t, "gradY", ops.gradY);
  std::vector<float> frames(static_cast<size_t>(V * 9));
  for (int64_t i = 0; i < V; ++i)
    for (int k = 0; k < 3; ++k) {
      frames[i * 9 + k] = float(ops.frames.X(i, k));
      frames[i * 9 + 3 + k] = float(ops.frames.Y(i, k));
      frames[i * 9 + 6 + k] = float(ops.frames.N(i, k));
    }
  t["frames"] = Tensor::from_vector({V, 3, 3}, frames);
  write_safetensors(path, t,
                    {{"format", "nfs-operators"},
                     {"version", std::to_string(kOperatorFormat)},
                     {"vertices", std::to_string(V)},
                     {"faces", std::to_string(num_faces)},
                     {"k", std::to_string(K)},
                     {"checksum", tensors_checksum(t)}});
}

geo::MeshOperators read_operators(const std::string& path, bool require_checksum) {
  SafetensorsFile f = read_safetensors(path);
  auto meta = [&](const char* key) -> std::string {
    auto it = f.metadata.find(key);
    if (it == f.metadata.end()) throw std::runtime_error(path + ": not an operator file (no '" + key + "')");
    return it->second;
  };
  if (meta("format") != "nfs-operators" || meta("version") != std::to_string(kOperatorFormat))
    throw std::runtime_error(path + ": not an operator file of version " + std::to_string(kOperatorFormat));
  const Tensor& mass = f.at("mass");
  const int64_t V = mass.numel();
  const Tensor& evecs = f.at("evecs");
  const int64_t K = f.at("evals").numel();
  if (evecs.shape() != Shape{V, K} || f.at("frames").shape() != Shape{V, 3, 3})
    throw std::runtime_error(path + ": operator shapes disagree (evecs " + evecs.shape().str() + ")");
  if (meta("vertices") != std::to_string(V) || meta("k") != std::to_string(K))
    throw std::runtime_error(path + ": metadata says " + meta("vertices") + " vertices and k = " + meta("k") +
                             ", the tensors hold " + std::to_string(V) + " and " + std::to_string(K));
  // Optional for files from other tools; every file the engine writes has it.
  auto checksum = f.metadata.find("checksum");
  if (checksum == f.metadata.end() && require_checksum) throw NoChecksum(path + ": no checksum");
  if (checksum != f.metadata.end() && checksum->second != tensors_checksum(f.tensors))
    throw std::runtime_error(path + ": checksum mismatch (the file is damaged)");
  geo::MeshOperators ops;
  ops.mass = tensor_matrix(mass.reshape({V, 1}));
  ops.evals = tensor_matrix(f.at("evals").reshape({K, 1}));
  ops.evecs = tensor_matrix(evecs);
  ops.L = get_csr(f, "L", V, V);
  ops.gradX = get_csr(f, "gradX", V, V);
  ops.gradY = get_csr(f, "gradY", V, V);
  std::vector<float> fr = f.at("frames").to_vector();
  ops.frames.X.resize(V, 3);
  ops.frames.Y.resize(V, 3);
  ops.frames.N.resize(V, 3);
  for (int64_t i = 0; i < V; ++i)
    for (int k = 0; k < 3; ++k) {
      ops.frames.X(i, k) = fr[i * 9 + k];
      ops.frames.Y(i, k) = fr[i * 9 + 3 + k];
      ops.frames.N(i, k) = fr[i * 9 + 6 + k];
    }
  return ops;
}

CsrMatrix to_csr(const Eigen::SparseMatrix<double>& A, Device device) {
  std::vector<int32_t> indptr, indices;
  std::vector<float> values;
  geo::csr_arrays(A, indptr, indices, values);
  return CsrMatrix::from_host(A.rows(), A.cols(), indptr, indices, values, device);
}

SpectralOperators to_spectral(const geo::MeshOperators& ops, Device device) {
  const int64_t V = ops.mass.size(), K = ops.evals.size();
  return SpectralOperators::make(matrix_tensor(ops.mass).reshape({V}).to(device),
                                 matrix_tensor(ops.evals).reshape({K}).to(device), matrix_tensor(ops.evecs).to(device),
                                 to_csr(ops.gradX, device), to_csr(ops.gradY, device));
}

uint64_t operator_key(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int k) {
  Fnv1a fnv;
  auto mix = [&](const void* data, size_t bytes) { fnv.mix(data, bytes); };
  const int64_t header[4] = {V.rows(), F.rows(), k, kOperatorFormat};
  mix(header, sizeof(header));
  for (int64_t i = 0; i < V.rows(); ++i)
    for (int c = 0; c < 3; ++c) {
      const double x = V(i, c);
      mix(&x, sizeof(x));
    }
  for (int64_t i = 0; i < F.rows(); ++i)
    for (int c = 0; c < 3; ++c) {
      const int32_t x = F(i, c);
      mix(&x, sizeof(x));
    }
  return fnv.h;
}

std::string operator_cache_dir() {
  if (const char* d = std::getenv("NFS_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/nfs";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/nfs";
  return ".nfs-cache";
}

geo::MeshOperators cached_mesh_operators(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int k,
                                         bool* cache_hit) {
  char name[64];
  std::snprintf(name, sizeof(name), "ops-%016llx.safetensors", (unsigned long long)operator_key(V, F, k));
  const std::string dir = operator_cache_dir(), path = dir + "/" + name;
  if (std::filesystem::exists(path)) {
    std::string problem;
    try {
      geo::MeshOperators ops = read_operators(path, true);
      if (ops.mass.size() == V.rows() && ops.evals.size() == k) {
        if (cache_hit) *cache_hit = true;
        return ops;
      }
      problem = path + ": operators of another mesh";
    } catch (const NoChecksum&) {
      problem.clear();  // from an older version: replaced silently
    } catch (const std::exception& e) {
      problem = e.what();
    }
    // Never used: recomputed and replaced below.
    if (!problem.empty())
      std::fprintf(stderr, "warning: operator cache entry not usable, recomputing it: %s\n", problem.c_str());
  }
  if (cache_hit) *cache_hit = false;
  geo::MeshOperators ops;
  geo::compute_mesh_operators(V, F, k, ops);
  try {
    std::filesystem::create_directories(dir);
    write_operators(path, ops, F.rows());
  } catch (const std::exception&) {
    // Read-only cache folder: carry on without caching.
  }
  return ops;
}

}  // namespace nfs
