// numpy arrays in and out of the engine's containers. Positions are read as float64 (the
// geometry's precision: float64 input reproduces a mesh file exactly), weights and codes as
// float32 (the network's); pybind11 converts other dtypes and layouts and passes a matching
// C-order array without a copy. Outputs are numpy arrays that own the engine's std::vector, so
// nothing is copied back.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <Eigen/Core>
#include <string>
#include <vector>

#include "geometry/polygon_mesh.h"

namespace nfs::py_arrays {

namespace py = pybind11;
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// A float32 numpy array of `shape` that owns `data` (moved in).
py::array_t<float> owned_array(std::vector<float>&& data, const std::vector<py::ssize_t>& shape);

// [n,3] points as an n by 3 matrix; `what` names the argument in errors.
Eigen::MatrixXd points(const DoubleArray& a, const std::string& what);
// Frames [T,n,3] (or one frame [n,3]) as T matrices.
std::vector<Eigen::MatrixXd> frames(const DoubleArray& a, const std::string& what);
// Rows [T,D] (or one row [D]) as a flat row-major vector; num_rows is set to T. Non-finite
// values are an error (as in a weights CSV).
std::vector<float> rows(const FloatArray& a, int64_t columns, const std::string& what,
                        int64_t& num_rows);

// Faces as polygons: an integer array [f,k] (k >= 3: triangles, quads, ...) or a sequence of
// index sequences of any lengths (Blender's and most DCCs' polygon lists).
geo::PolygonMesh polygons(const Eigen::MatrixXd& V, const py::object& faces);

}  // namespace nfs::py_arrays
