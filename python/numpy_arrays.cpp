#include "numpy_arrays.h"

#include <cmath>
#include <stdexcept>

#include "geometry/mesh_arrays.h"

namespace nfs::py_arrays {

py::array_t<float> owned_array(std::vector<float>&& data, const std::vector<py::ssize_t>& shape) {
  auto* owner = new std::vector<float>(std::move(data));
  py::capsule free_owner(owner, [](void* p) { delete static_cast<std::vector<float>*>(p); });
  return py::array_t<float>(shape, owner->data(), free_owner);
}

namespace {
std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}
}  // namespace

Eigen::MatrixXd points(const DoubleArray& a, const std::string& what) {
  if (a.ndim() != 2 || a.shape(1) != 3)
    throw std::invalid_argument(what + ": expected an array of shape (n, 3), got " + shape_text(a));
  Eigen::MatrixXd V(a.shape(0), 3);
  const double* p = a.data();
  for (py::ssize_t i = 0; i < a.shape(0); ++i)
    for (int k = 0; k < 3; ++k) V(i, k) = p[i * 3 + k];
  return V;
}

std::vector<Eigen::MatrixXd> frames(const DoubleArray& a, const std::string& what) {
  if (a.ndim() == 2) return {points(a, what)};
  if (a.ndim() != 3 || a.shape(2) != 3)
    throw std::invalid_argument(what + ": expected an array of shape (T, n, 3) or (n, 3), got " +
                                shape_text(a));
  std::vector<Eigen::MatrixXd> out;
  const py::ssize_t n = a.shape(1);
  for (py::ssize_t t = 0; t < a.shape(0); ++t) {
    Eigen::MatrixXd V(n, 3);
    const double* p = a.data() + t * n * 3;
    for (py::ssize_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) V(i, k) = p[i * 3 + k];
    out.push_back(std::move(V));
  }
  return out;
}

std::vector<float> rows(const FloatArray& a, int64_t columns, const std::string& what,
                        int64_t& num_rows) {
  if (!((a.ndim() == 1 && a.shape(0) == columns) || (a.ndim() == 2 && a.shape(1) == columns)))
    throw std::invalid_argument(what + ": expected an array of shape (T, " +
                                std::to_string(columns) + ") or (" + std::to_string(columns) +
                                ",), got " + shape_text(a));
  num_rows = a.ndim() == 1 ? 1 : a.shape(0);
  std::vector<float> out(a.data(), a.data() + num_rows * columns);
  for (size_t i = 0; i < out.size(); ++i)
    if (!std::isfinite(out[i]))
      throw std::invalid_argument(what + ": row " + std::to_string(i / size_t(columns)) +
                                  ", column " + std::to_string(i % size_t(columns)) +
                                  " is not finite");
  return out;
}

geo::PolygonMesh polygons(const Eigen::MatrixXd& V, const py::object& faces) {
  std::vector<int> starts{0}, corners;
  auto corner = [&](long long i) {
    if (i < 0 || i >= V.rows())
      throw std::invalid_argument("faces: vertex index " + std::to_string(i) +
                                  " out of range [0, " + std::to_string(V.rows()) + ")");
    corners.push_back(int(i));
  };
  if (py::isinstance<py::array>(faces)) {
    const char kind = py::array(faces).dtype().kind();
    auto f = py::array_t<long long, py::array::c_style | py::array::forcecast>::ensure(faces);
    if ((kind != 'i' && kind != 'u') || !f || f.ndim() != 2 || f.shape(1) < 3)
      throw std::invalid_argument(
          "faces: expected an integer array of shape (f, 3) or (f, k), k >= 3");
    for (py::ssize_t p = 0; p < f.shape(0); ++p) {
      for (py::ssize_t k = 0; k < f.shape(1); ++k) corner(f.at(p, k));
      starts.push_back(int(corners.size()));
    }
  } else {
    if (!py::isinstance<py::sequence>(faces))
      throw std::invalid_argument(
          "faces: expected an integer array (f, k) or a sequence of polygons");
    for (py::handle poly : faces) {
      if (!py::isinstance<py::sequence>(poly))
        throw std::invalid_argument("faces: polygon " + std::to_string(starts.size() - 1) +
                                    " is not a sequence of indices");
      for (py::handle i : poly) {
        if (!PyIndex_Check(i.ptr()))  // Python ints and numpy integers; not floats or strings
          throw std::invalid_argument("faces: polygon " + std::to_string(starts.size() - 1) +
                                      " has a non-integer index");
        corner(PyNumber_AsSsize_t(i.ptr(), nullptr));
      }
      starts.push_back(int(corners.size()));
    }
  }
  return polygon_mesh(V, starts, corners);
}

}  // namespace nfs::py_arrays
