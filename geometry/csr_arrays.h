// An Eigen sparse matrix as host CSR arrays (int32 row offsets and columns, float32 values, columns
// sorted within a row): the input of nfs::CsrMatrix::from_host (nn/sparse.h), which puts geometry
// operators on a device.
#pragma once
#include <Eigen/SparseCore>
#include <cstdint>
#include <vector>

namespace nfs::geo {

// @param[in]  A        rows by cols sparse matrix (explicit zeros are kept)
// @param[out] indptr   rows + 1 offsets
// @param[out] indices  nnz column indices
// @param[out] values   nnz values, rounded to float
// Throws std::invalid_argument when the matrix is too large for int32 indices.
void csr_arrays(const Eigen::SparseMatrix<double>& A, std::vector<int32_t>& indptr,
                std::vector<int32_t>& indices, std::vector<float>& values);

}  // namespace nfs::geo
