// spmm: a constant sparse operator (Laplacian, gradient operators) applied to per-vertex features.
#include <stdexcept>
#include <string>

#include "kernels/cuda_context.h"
#include "kernels/spmm.h"
#include "nn/ops.h"

namespace nfs {

namespace {
CsrView view(const CsrMatrix& s) {
  return CsrView{s.rows, s.cols, s.nnz(), s.indptr.i32(), s.indices.i32(), s.values.f32()};
}

// y [batch, S.rows, C] = S · x [batch, S.cols, C] on the tensors' device; allocates y.
Tensor apply(const CsrMatrix& s, const Tensor& x, int64_t batch, int64_t channels,
             const Shape& out_shape) {
  Tensor y = Tensor::empty(out_shape, x.device());
  const CsrView v = view(s);
#if NFS_WITH_CUDA
  if (x.is_cuda()) {
    const size_t bytes = cuda::spmm_workspace_bytes(y.f32(), v, x.f32(), batch, channels);
    Tensor ws = Tensor::empty({static_cast<int64_t>((bytes + 3) / 4)}, Device::CUDA);
    cuda::spmm_forward(y.f32(), v, x.f32(), batch, channels, ws.raw(), cuda::stream());
    return y;
  }
#endif
  cpu::spmm_forward(y.f32(), v, x.f32(), batch, channels);  // (no CUDA tensors without CUDA)
  return y;
}
}  // namespace

Var spmm(const CsrMatrix& s, const Var& x) {
  const Tensor& X = x.value();
  if (!s.values.defined() || !s.indptr.defined() || !s.indices.defined())
    throw std::invalid_argument(
        "spmm: the sparse matrix is empty (build it with "
        "CsrMatrix::from_host or from_triplets)");
  if (s.device() != X.device() || s.indptr.device() != X.device())
    throw std::invalid_argument(std::string("spmm: sparse matrix on ") + device_name(s.device()) +
                                ", x on " + device_name(X.device()) + " (use CsrMatrix::to)");
  if ((X.ndim() != 2 && X.ndim() != 3) || X.size(-2) != s.cols)
    throw std::invalid_argument("spmm: x " + X.shape().str() + " must be [" +
                                std::to_string(s.cols) + ", C] or [B, " + std::to_string(s.cols) +
                                ", C] for a " + std::to_string(s.rows) + " x " +
                                std::to_string(s.cols) + " matrix");
  const bool batched = X.ndim() == 3;
  const int64_t batch = batched ? X.size(0) : 1, channels = X.size(-1);
  if (grad_enabled() && x.requires_grad() && !s.transpose)
    throw std::invalid_argument(
        "spmm: the gradient needs the matrix's cached transpose, which "
        "this matrix lacks (build it with CsrMatrix::from_host)");
  const Shape out_shape = batched ? Shape{batch, s.rows, channels} : Shape{s.rows, channels};
  Tensor Y = apply(s, X, batch, channels, out_shape);

  VarImpl* xi = x.impl();
  std::shared_ptr<const CsrMatrix> st = s.transpose;
  return make_result(Y, "spmm", {x}, [=](const Tensor& g) {
    // dx = Sᵀ g.
    accumulate_grad(xi, apply(*st, g, batch, channels, xi->value.shape()));
  });
}

}  // namespace nfs
