#include "geometry/csr_arrays.h"

#include <limits>
#include <stdexcept>

namespace nfs::geo {

void csr_arrays(const Eigen::SparseMatrix<double>& A, std::vector<int32_t>& indptr,
                std::vector<int32_t>& indices, std::vector<float>& values) {
  const Eigen::SparseMatrix<double, Eigen::RowMajor> R = A;  // columns come sorted per row
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  if (R.rows() > kMax || R.cols() > kMax || R.nonZeros() > kMax)
    throw std::invalid_argument("csr_arrays: matrix too large for int32 indices");
  indptr.assign(R.rows() + 1, 0);
  indices.resize(R.nonZeros());
  values.resize(R.nonZeros());
  int64_t k = 0;
  for (Eigen::Index r = 0; r < R.rows(); ++r) {
    for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(R, r); it; ++it, ++k) {
      indices[k] = static_cast<int32_t>(it.col());
      values[k] = static_cast<float>(it.value());
    }
    indptr[r + 1] = static_cast<int32_t>(k);
  }
}

}  // namespace nfs::geo
