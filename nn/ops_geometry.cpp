// Differentiable geometry on the network's tensors: vertex normals.
#include <stdexcept>

#include "kernels/vertex_normals.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

Var vertex_normals(const Var& positions, const Tensor& faces) {
  const Tensor& P = positions.value();
  if (P.ndim() < 2 || P.ndim() > 3 || P.size(-1) != 3)
    throw std::invalid_argument("vertex_normals: positions must be [B, V, 3] or [V, 3], got " + P.shape().str());
  if (faces.ndim() != 2 || faces.size(1) != 3 || faces.dtype() != DType::I32)
    throw std::invalid_argument("vertex_normals: faces must be int32 [F, 3], got " + faces.shape().str());
  check_same_device(P, faces, "vertex_normals");
  const int64_t B = P.ndim() == 3 ? P.size(0) : 1, V = P.size(-2), F = faces.size(0);
  const Device dev = P.device();
  Tensor normals = Tensor::empty(P.shape(), dev), sums = Tensor::empty(P.shape(), dev);
  NFS_DISPATCH(dev, cpu::vertex_normals_forward(normals.f32(), sums.f32(), P.f32(), faces.i32(), B, V, F),
               cuda::vertex_normals_forward(normals.f32(), sums.f32(), P.f32(), faces.i32(), B, V, F,
                                            cuda::stream()));
  VarImpl* pi = positions.impl();
  return make_result(normals, "vertex_normals", {positions}, [=](const Tensor& g) {
    Tensor dp = Tensor::empty(pi->value.shape(), dev);
    NFS_DISPATCH(dev,
                 cpu::vertex_normals_backward(dp.f32(), sums.f32(), g.f32(), pi->value.f32(), faces.i32(), B, V, F),
                 cuda::vertex_normals_backward(dp.f32(), sums.f32(), g.f32(), pi->value.f32(), faces.i32(), B, V,
                                               F, cuda::stream()));
    accumulate_grad(pi, dp);
  });
}

}  // namespace nfs
