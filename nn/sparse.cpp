#include "nn/sparse.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace nfs {

namespace {

[[noreturn]] void fail(const std::string& msg) {
  throw std::invalid_argument("CsrMatrix: " + msg);
}

void check_structure(int64_t rows, int64_t cols, const std::vector<int32_t>& indptr,
                     const std::vector<int32_t>& indices, const std::vector<float>& values) {
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  if (rows < 0 || cols < 0 || rows > kMax || cols > kMax)
    fail("size " + std::to_string(rows) + " x " + std::to_string(cols) +
         " is negative or exceeds the int32 index range");
  if (static_cast<int64_t>(indptr.size()) != rows + 1)
    fail("indptr has " + std::to_string(indptr.size()) +
         " entries, expected rows + 1 = " + std::to_string(rows + 1));
  if (indices.size() != values.size())
    fail(std::to_string(indices.size()) + " column indices but " + std::to_string(values.size()) +
         " values");
  if (indptr[0] != 0) fail("indptr[0] is " + std::to_string(indptr[0]) + ", expected 0");
  if (static_cast<size_t>(indptr[rows]) != indices.size())
    fail("indptr[rows] = " + std::to_string(indptr[rows]) + " but there are " +
         std::to_string(indices.size()) + " entries");
  for (int64_t r = 0; r < rows; ++r) {
    if (indptr[r + 1] < indptr[r])
      fail("indptr decreases at row " + std::to_string(r) + " (" + std::to_string(indptr[r]) +
           " then " + std::to_string(indptr[r + 1]) + ")");
    for (int32_t j = indptr[r]; j < indptr[r + 1]; ++j) {
      if (indices[j] < 0 || indices[j] >= cols)
        fail("column index " + std::to_string(indices[j]) + " in row " + std::to_string(r) +
             " is outside [0, " + std::to_string(cols) + ")");
      if (j > indptr[r] && indices[j] <= indices[j - 1])
        fail("column indices of row " + std::to_string(r) +
             " are not strictly increasing (unsorted or duplicate; from_triplets sums duplicates)");
    }
  }
}

// A matrix from arrays already checked, without its transpose.
CsrMatrix make(int64_t rows, int64_t cols, const std::vector<int32_t>& indptr,
               const std::vector<int32_t>& indices, const std::vector<float>& values,
               Device device) {
  CsrMatrix m;
  m.rows = rows;
  m.cols = cols;
  const int64_t nnz = static_cast<int64_t>(values.size());
  m.indptr = Tensor::from_ints({rows + 1}, indptr, device);
  m.indices = Tensor::from_ints({nnz}, indices, device);
  m.values = Tensor::from_vector({nnz}, values, device);
  return m;
}

}  // namespace

CsrMatrix CsrMatrix::from_host(int64_t rows, int64_t cols, const std::vector<int32_t>& indptr,
                               const std::vector<int32_t>& indices,
                               const std::vector<float>& values, Device device) {
  check_structure(rows, cols, indptr, indices, values);
  // Transpose by counting sort on the column: rows are visited in order, so every row of Aᵀ
  // comes out with sorted column indices.
  const size_t nnz = values.size();
  std::vector<int32_t> t_indptr(cols + 1, 0), t_indices(nnz);
  std::vector<float> t_values(nnz);
  for (int32_t c : indices) ++t_indptr[c + 1];
  std::partial_sum(t_indptr.begin(), t_indptr.end(), t_indptr.begin());
  std::vector<int32_t> next(t_indptr.begin(), t_indptr.end() - 1);
  for (int64_t r = 0; r < rows; ++r)
    for (int32_t j = indptr[r]; j < indptr[r + 1]; ++j) {
      const int32_t dst = next[indices[j]]++;
      t_indices[dst] = static_cast<int32_t>(r);
      t_values[dst] = values[j];
    }
  CsrMatrix m = make(rows, cols, indptr, indices, values, device);
  m.transpose =
      std::make_shared<const CsrMatrix>(make(cols, rows, t_indptr, t_indices, t_values, device));
  return m;
}

CsrMatrix CsrMatrix::from_triplets(int64_t rows, int64_t cols, const std::vector<int32_t>& r,
                                   const std::vector<int32_t>& c, const std::vector<float>& v,
                                   Device device) {
  if (r.size() != c.size() || r.size() != v.size())
    fail("from_triplets: " + std::to_string(r.size()) + " rows, " + std::to_string(c.size()) +
         " columns and " + std::to_string(v.size()) + " values differ in count");
  if (rows < 0 || cols < 0 || rows > std::numeric_limits<int32_t>::max() ||
      cols > std::numeric_limits<int32_t>::max())
    fail("size " + std::to_string(rows) + " x " + std::to_string(cols) +
         " is negative or exceeds the int32 index range");
  for (size_t k = 0; k < r.size(); ++k)
    if (r[k] < 0 || r[k] >= rows || c[k] < 0 || c[k] >= cols)
      fail("from_triplets: entry " + std::to_string(k) + " at (" + std::to_string(r[k]) + ", " +
           std::to_string(c[k]) + ") is outside the " + std::to_string(rows) + " x " +
           std::to_string(cols) + " matrix");
  std::vector<size_t> order(r.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return r[a] != r[b] ? r[a] < r[b] : c[a] < c[b]; });
  std::vector<int32_t> indptr(rows + 1, 0), indices;
  std::vector<float> values;
  indices.reserve(r.size());
  values.reserve(r.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t e = order[k];
    if (k > 0 && r[e] == r[order[k - 1]] && c[e] == c[order[k - 1]]) {
      values.back() += v[e];  // duplicate: summed
    } else {
      indices.push_back(c[e]);
      values.push_back(v[e]);
      ++indptr[r[e] + 1];
    }
  }
  std::partial_sum(indptr.begin(), indptr.end(), indptr.begin());
  return from_host(rows, cols, indptr, indices, values, device);
}

CsrMatrix CsrMatrix::to(Device device) const {
  CsrMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.indptr = indptr.to(device);
  m.indices = indices.to(device);
  m.values = values.to(device);
  if (transpose) m.transpose = std::make_shared<const CsrMatrix>(transpose->to(device));
  return m;
}

}  // namespace nfs
