// A constant sparse matrix in CSR form (rows x cols, int32 indices, float32 values) on one device,
// with its transpose built once on the host for backward passes. Geometry operators (Laplacian,
// gradient operators Gx, Gy) are stored this way.
#pragma once
#include <memory>
#include <vector>

#include "nn/tensor.h"

namespace nfs {

struct CsrMatrix {
  int64_t rows = 0, cols = 0;
  Tensor indptr;   // I32 [rows + 1]
  Tensor indices;  // I32 [nnz], column of each entry, sorted within a row
  Tensor values;   // F32 [nnz]
  std::shared_ptr<const CsrMatrix> transpose;  // Aᵀ on the same device; set by from_host()

  int64_t nnz() const { return values.defined() ? values.numel() : 0; }
  Device device() const { return values.device(); }

  // Builds the matrix (and its transpose) from host arrays; checks the structure.
  static CsrMatrix from_host(int64_t rows, int64_t cols, const std::vector<int32_t>& indptr,
                             const std::vector<int32_t>& indices, const std::vector<float>& values,
                             Device device = Device::CPU);
  // From (row, col, value) triplets; duplicates are summed.
  static CsrMatrix from_triplets(int64_t rows, int64_t cols, const std::vector<int32_t>& r,
                                 const std::vector<int32_t>& c, const std::vector<float>& v,
                                 Device device = Device::CPU);
  CsrMatrix to(Device device) const;
};

}  // namespace nfs
