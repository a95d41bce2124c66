// The `nfs` Python module: the inference engine (infer/engine.h) for pipeline scripts and DCC
// add-ons (blender/). python/nfs.pyi documents it for editors; docs/USAGE.md shows it in use.
// The GIL is released while the engine computes; progress callbacks take it back to run.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>

#include "geometry/load_mesh.h"
#include "infer/blendshape_names.h"
#include "infer/engine.h"
#include "infer/rig_shapes.h"
#include "infer/weights_csv.h"
#include "kernels/cuda_context.h"
#include "numpy_arrays.h"

namespace py = pybind11;
using namespace nfs;
using namespace nfs::py_arrays;

namespace {

// A prepared target, shared so a Target outlives nothing it needs.
struct PyTarget {
  std::shared_ptr<Engine::Target> target;
};

struct AlignArgs {
  std::string mode = "auto";
  std::optional<std::string> up, forward;
  std::optional<double> scale;
  AlignOptions options() const {
    AlignOptions o;
    o.mode = parse_align_mode(mode, "align");
    if (up) o.up = parse_axis(*up, "up");
    if (forward) o.forward = parse_axis(*forward, "forward");
    if (scale) o.scale = *scale;
    return o;
  }
};

// The engine's progress callback running a Python callable, with the GIL.
Progress python_progress(const py::object& callback) {
  if (callback.is_none()) return {};
  return [callback](int64_t done, int64_t total) {
    py::gil_scoped_acquire gil;
    callback(done, total);
  };
}

geo::TriangleMesh checked_mesh(const Eigen::MatrixXd& V, const py::object& faces,
                               const std::string& name) {
  geo::TriangleMesh m;
  m.poly = polygons(V, faces);
  geo::triangulate_and_check(name, m);
  return m;
}

// Decoded frames [T][n·3] as one array [T,n,3].
py::array_t<float> stacked(std::vector<std::vector<float>>&& frames, int64_t n) {
  std::vector<float> flat;
  flat.reserve(frames.size() * size_t(n) * 3);
  for (auto& f : frames) flat.insert(flat.end(), f.begin(), f.end());
  const py::ssize_t T = py::ssize_t(frames.size());
  frames.clear();
  return owned_array(std::move(flat), {T, py::ssize_t(n), 3});
}

class PyEngine {
 public:
  PyEngine(const std::optional<std::string>& model, const std::string& device,
           const std::optional<std::string>& ict_model, int batch) {
    if (batch < 1) throw std::invalid_argument("batch: must be at least 1");
    EngineOptions o;
    o.model = model.value_or("");
    o.device = device;
    o.ict_model = ict_model.value_or("");
    o.batch = batch;
    py::gil_scoped_release nogil;
    engine_ = std::make_unique<Engine>(o);
  }

  std::string device() const { return device_name(engine_->device()); }
  int64_t code_dim() const { return engine_->network().config.code_dim; }

  PyTarget prepare_target(const py::object& vertices, const py::object& faces,
                          const AlignArgs& align) {
    const AlignOptions options = align.options();
    PyTarget t;
    if (py::isinstance<py::str>(vertices)) {
      const std::string path = vertices.cast<std::string>();
      py::gil_scoped_release nogil;
      t.target = engine_->prepare_target(path, options);
      return t;
    }
    if (!py::isinstance<py::array>(vertices) && !py::isinstance<py::sequence>(vertices))
      throw std::invalid_argument(
          "prepare_target: vertices must be an array (n, 3) or a mesh file path");
    if (faces.is_none())
      throw std::invalid_argument("prepare_target: faces are needed with a vertex array");
    geo::TriangleMesh mesh =
        checked_mesh(points(vertices.cast<DoubleArray>(), "target vertices"), faces, "target");
    py::gil_scoped_release nogil;
    t.target = engine_->prepare_target(std::move(mesh), "target", options);
    return t;
  }

  py::dict rig(const PyTarget& t, const std::string& naming, const py::object& progress) {
    const RigShapes rig = rig_shapes(parse_naming(naming, "naming"));
    std::vector<std::vector<float>> decoded;
    {
      const Progress p = python_progress(progress);
      py::gil_scoped_release nogil;
      decoded = engine_->decode(*t.target,
                                engine_->codes_from_weights(rig.weights, rig.num_shapes() + 1), p);
    }
    const int64_t n = t.target->topology.num_vertices;
    const std::vector<float> deltas = rig_deltas(decoded);
    py::dict out;
    for (int k = 0; k < rig.num_shapes(); ++k) {
      auto first = deltas.begin() + int64_t(k) * n * 3;
      out[py::str(rig.names[k])] =
          owned_array(std::vector<float>(first, first + n * 3), {py::ssize_t(n), 3});
    }
    return out;
  }

  py::array_t<float> animate(const PyTarget& t, const FloatArray& weights,
                             const py::object& progress) {
    int64_t T = 0;
    const std::vector<float> w = rows(weights, kNumIctExpressions, "weights", T);
    return decode_codes(t, engine_->codes_from_weights(w, int(T)), progress);
  }

  py::array_t<float> decode(const PyTarget& t, const FloatArray& codes,
                            const py::object& progress) {
    int64_t T = 0;
    const std::vector<float> z = rows(codes, code_dim(), "codes", T);
    return decode_codes(t, Tensor::from_vector({T, code_dim()}, z), progress);
  }

  // Codes [T, code_dim] of source frames given as arrays or as mesh files.
  Tensor source_codes(const py::object& frames, const py::object& faces, const py::object& neutral,
                      const AlignArgs& align, const py::object& progress) {
    const AlignOptions options = align.options();
    const Progress p = python_progress(progress);
    if (is_path_list(frames)) {
      const auto paths = frames.cast<std::vector<std::string>>();
      const std::string neutral_path = neutral.is_none() ? "" : neutral.cast<std::string>();
      py::gil_scoped_release nogil;
      return engine_->encode(*engine_->load_sources(paths, options, neutral_path), p);
    }
    if (py::isinstance<py::sequence>(frames) && py::len(frames) == 0)
      throw std::invalid_argument("no source frames given");
    if (faces.is_none()) throw std::invalid_argument("source faces are needed with frame arrays");
    std::vector<Eigen::MatrixXd> f = py_arrays::frames(frames.cast<DoubleArray>(), "source frames");
    if (f.empty()) throw std::invalid_argument("no source frames given");
    const Eigen::MatrixXd base =
        neutral.is_none() ? f[0] : points(neutral.cast<DoubleArray>(), "neutral");
    geo::TriangleMesh mesh = checked_mesh(base, faces, "source");
    py::gil_scoped_release nogil;
    return engine_->encode(*engine_->load_sources(std::move(mesh), "source", f, options), p);
  }

  py::array_t<float> encode(const py::object& frames, const py::object& faces,
                            const py::object& neutral, bool full_code, const AlignArgs& align,
                            const py::object& progress) {
    Tensor z = source_codes(frames, faces, neutral, align, progress);
    const py::ssize_t T = z.size(0), E = full_code ? z.size(1) : kNumIctExpressions;
    return owned_array(full_code ? z.to_vector() : engine_->weights_from_codes(z), {T, E});
  }

  py::array_t<float> retarget(const py::object& frames, const py::object& faces, const PyTarget& t,
                              const py::object& neutral, const AlignArgs& align,
                              const py::object& progress) {
    return decode_codes(t, source_codes(frames, faces, neutral, align, py::none()), progress);
  }

 private:
  static bool is_path_list(const py::object& o) {
    if (py::isinstance<py::str>(o) || py::isinstance<py::array>(o) ||
        !py::isinstance<py::sequence>(o))
      return false;
    py::sequence s = o;
    return s.size() > 0 && py::isinstance<py::str>(s[0]);
  }

  py::array_t<float> decode_codes(const PyTarget& t, const Tensor& codes,
                                  const py::object& progress) {
    std::vector<std::vector<float>> frames;
    {
      const Progress p = python_progress(progress);
      py::gil_scoped_release nogil;
      frames = engine_->decode(*t.target, codes, p);
    }
    return stacked(std::move(frames), t.target->topology.num_vertices);
  }

  std::unique_ptr<Engine> engine_;
};

}  // namespace

PYBIND11_MODULE(nfs, m) {
  m.doc() =
      "NFS: mesh-agnostic facial expression cloning (Neural Face Skinning). See nfs.pyi and "
      "docs/USAGE.md.";
  m.attr("__version__") = NFS_VERSION_STRING;
  m.attr("NUM_EXPRESSIONS") = kNumIctExpressions;

  m.def(
      "expression_names",
      [](const std::string& naming) {
        std::vector<std::string> names;
        for (const ArkitColumn& c : weight_columns(parse_naming(naming, "naming")))
          names.push_back(c.name);
        return names;
      },
      py::arg("naming") = "ict",
      "Blendshape names in engine order: 'ict' (53) or 'arkit' (51, split pairs gathered).");
  m.def(
      "arkit_groups",
      [] {
        py::dict d;
        for (const ArkitColumn& c : arkit_columns()) d[py::str(c.name)] = c.ict_indices;
        return d;
      },
      "For each ARKit name, the ICT indices it drives.");
  m.def("ict_indices", &ict_indices_for_name, py::arg("name"),
        "The ICT indices a blendshape name drives (ICT, ARKit or Live Link Face spelling).");
  m.def(
      "devices",
      [] {
        std::vector<std::string> d = {"cpu"};
#if NFS_WITH_CUDA
        if (cuda_available()) d.push_back("cuda");
#endif
        return d;
      },
      "The compute devices this build can use now.");

  py::class_<WeightsTable>(m, "Take", "A blendshape take read from CSV.")
      .def_property_readonly(
          "weights",
          [](const WeightsTable& t) {
            return owned_array(std::vector<float>(t.weights), {t.num_frames, kNumIctExpressions});
          })
      .def_readonly("timecodes", &WeightsTable::timecodes)
      .def_readonly("notes", &WeightsTable::notes)
      .def_property_readonly(
          "frame_rate",
          [](const WeightsTable& t) { return frame_rate_from_timecodes(t.timecodes); })
      .def_property_readonly("num_frames", [](const WeightsTable& t) { return t.num_frames; });
  m.def("read_weights_csv", &read_weights_csv, py::arg("path"),
        py::call_guard<py::gil_scoped_release>(),
        "Reads an ICT, ARKit or Live Link Face weights CSV into a Take.");
  m.def(
      "write_weights_csv",
      [](const std::string& path, const FloatArray& weights, const std::string& naming) {
        int64_t T = 0;
        const std::vector<float> w = rows(weights, kNumIctExpressions, "weights", T);
        write_weights_csv(path, w, int(T), parse_naming(naming, "naming"));
      },
      py::arg("path"), py::arg("weights"), py::arg("naming") = "ict",
      "Writes weights [T,53] (ICT order) with ICT (53) or ARKit (51) columns, atomically.");

  py::class_<PyTarget>(m, "Target", "A neutral target mesh, aligned and with its operators built.")
      .def_property_readonly("vertex_count",
                             [](const PyTarget& t) { return t.target->topology.num_vertices; })
      .def_property_readonly("rest_positions",
                             [](const PyTarget& t) {
                               const Eigen::MatrixXd& V = t.target->mesh.mesh.V();
                               std::vector<float> p(size_t(V.rows()) * 3);
                               for (Eigen::Index i = 0; i < V.rows(); ++i)
                                 for (int k = 0; k < 3; ++k) p[size_t(i) * 3 + k] = float(V(i, k));
                               return owned_array(std::move(p), {py::ssize_t(V.rows()), 3});
                             })
      .def_property_readonly("warnings",
                             [](const PyTarget& t) { return t.target->mesh.mesh.report.warnings; })
      .def_property_readonly("alignment_error",
                             [](const PyTarget& t) { return t.target->mesh.report.trimmed_rms; });

  py::class_<PyEngine>(m, "Engine")
      .def(py::init<const std::optional<std::string>&, const std::string&,
                    const std::optional<std::string>&, int>(),
           py::arg("model") = py::none(), py::arg("device") = "auto",
           py::arg("ict_model") = py::none(), py::arg("batch") = 8,
           "Loads a model (default: the shipped one) on 'cpu', 'cuda' or 'auto'.")
      .def_property_readonly("device", &PyEngine::device)
      .def_property_readonly("code_dim", &PyEngine::code_dim)
      .def(
          "prepare_target",
          [](PyEngine& e, const py::object& vertices, const py::object& faces,
             const std::string& align, std::optional<std::string> up,
             std::optional<std::string> forward, std::optional<double> scale) {
            return e.prepare_target(vertices, faces, AlignArgs{align, up, forward, scale});
          },
          py::arg("vertices"), py::arg("faces") = py::none(), py::kw_only(),
          py::arg("align") = "auto", py::arg("up") = py::none(), py::arg("forward") = py::none(),
          py::arg("scale") = py::none(),
          "A target from vertices [n,3] and faces, or from a mesh file path; aligned once.")
      .def("rig", &PyEngine::rig, py::arg("target"), py::arg("naming") = "ict",
           py::arg("progress") = py::none(),
           "The target's blendshapes {name: deltas [n,3]}: 53 ICT or 51 ARKit shapes.")
      .def("animate", &PyEngine::animate, py::arg("target"), py::arg("weights"),
           py::arg("progress") = py::none(), "Target positions [T,n,3] for FACS weights [T,53].")
      .def("decode", &PyEngine::decode, py::arg("target"), py::arg("codes"),
           py::arg("progress") = py::none(), "Target positions [T,n,3] for codes [T,code_dim].")
      .def(
          "encode",
          [](PyEngine& e, const py::object& frames, const py::object& faces,
             const py::object& neutral, bool full_code, std::optional<std::string> up,
             std::optional<std::string> forward, const py::object& progress) {
            return e.encode(frames, faces, neutral, full_code, AlignArgs{"auto", up, forward, {}},
                            progress);
          },
          py::arg("frames"), py::arg("faces") = py::none(), py::kw_only(),
          py::arg("neutral") = py::none(), py::arg("full_code") = false, py::arg("up") = py::none(),
          py::arg("forward") = py::none(), py::arg("progress") = py::none(),
          "FACS weights [T,53] (full_code: codes) of source frames [T,m,3] or mesh files.")
      .def(
          "retarget",
          [](PyEngine& e, const py::object& frames, const py::object& faces, const PyTarget& t,
             const py::object& neutral, std::optional<std::string> up,
             std::optional<std::string> forward, const py::object& progress) {
            return e.retarget(frames, faces, t, neutral, AlignArgs{"auto", up, forward, {}},
                              progress);
          },
          py::arg("source_frames"), py::arg("source_faces"), py::arg("target"), py::kw_only(),
          py::arg("neutral") = py::none(), py::arg("up") = py::none(),
          py::arg("forward") = py::none(), py::arg("progress") = py::none(),
          "Each source frame's expression cloned onto the target: positions [T,n,3].");
}
