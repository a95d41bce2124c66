// Shape of a contiguous row-major tensor of up to 4 dimensions. Conventions used across the engine:
// per-vertex data is [B, V, C] (or [V, C]); images are [B, C, H, W]; a scalar is [1].
#pragma once
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace nfs {

struct Shape {
  static constexpr int kMaxDims = 4;
  int ndim = 0;
  int64_t d[kMaxDims] = {0, 0, 0, 0};

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) {
    if (dims.size() > kMaxDims) throw std::invalid_argument("Shape: more than 4 dimensions");
    for (int64_t v : dims) {
      if (v < 0) throw std::invalid_argument("Shape: negative dimension");
      d[ndim++] = v;
    }
  }
  // Size of an axis; negative axes count from the end (-1 = last).
  int64_t operator[](int axis) const { return d[normalize(axis)]; }
  int normalize(int axis) const {
    int a = axis < 0 ? axis + ndim : axis;
    if (a < 0 || a >= ndim) throw std::out_of_range("Shape: axis " + std::to_string(axis) + " of " + str());
    return a;
  }
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim; ++i) n *= d[i];
    return n;
  }
  // Product of all dimensions but the last: the row count of the [rows, last] view.
  int64_t rows() const { return ndim == 0 ? 1 : numel() / (d[ndim - 1] == 0 ? 1 : d[ndim - 1]); }
  bool operator==(const Shape& o) const {
    if (ndim != o.ndim) return false;
    for (int i = 0; i < ndim; ++i)
      if (d[i] != o.d[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const {
    std::string s = "[";
    for (int i = 0; i < ndim; ++i) s += (i ? ", " : "") + std::to_string(d[i]);
    return s + "]";
  }
};

}  // namespace nfs
