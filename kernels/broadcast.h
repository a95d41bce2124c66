// Binary elementwise ops with numpy broadcasting (up to 4-D), and the reduction their backward
// needs. Shapes are given padded to 4 dimensions with leading 1s ([V, C] -> [1, 1, V, C]).
//
// binary_forward: out[i] = a[i ⋅ stride_a] op b[i ⋅ stride_b] for every element i of the
//   (contiguous) output of shape dims; an operand's stride is 0 along the axes it is broadcast
//   over. Overwrites out.
// reduce_to_shape: the gradient of one broadcast operand,
//   out[t] = alpha · Σ_{i broadcast from t} grad[i] · factor[i ⋅ stride_factor]
//   where grad has the full shape dims and t runs over the operand's (contiguous) elements of
//   shape operand_dims (1 on the axes it is broadcast over). factor may be null (meaning 1): add
//   and sub pass none, mul passes the other operand. Overwrites out, or adds to it when
//   accumulate (a leaf parameter's gradient buffer).
//   CUDA: large reductions are split over blocks and combined with float atomics, so the result
//   may differ from the CPU's double-accumulated sum by a few float roundings, run to run.
#pragma once
#include <cstdint>
#if NFS_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace nfs {
enum class BinaryOp : int32_t { kAdd = 0, kSub = 1, kMul = 2 };

struct BroadcastShape {
  int64_t dims[4];      // output shape
  int64_t stride_a[4];  // a's strides, 0 on its broadcast axes
  int64_t stride_b[4];  // b's strides, 0 on its broadcast axes
};

struct ReduceShape {
  int64_t dims[4];           // full (output) shape that grad has
  int64_t operand_dims[4];   // the operand's shape; 1 on the axes it is broadcast over
  int64_t stride_factor[4];  // factor's strides into the full shape (unused without factor)
};
}  // namespace nfs

namespace nfs::cpu {
void binary_forward(float* out, const float* a, const float* b, const BroadcastShape& s,
                    BinaryOp op);
void reduce_to_shape(float* out, const float* factor, const float* grad, const ReduceShape& s,
                     float alpha, bool accumulate);
}  // namespace nfs::cpu

#if NFS_WITH_CUDA
namespace nfs::cuda {
void binary_forward(float* out, const float* a, const float* b, const BroadcastShape& s,
                    BinaryOp op, cudaStream_t stream);
void reduce_to_shape(float* out, const float* factor, const float* grad, const ReduceShape& s,
                     float alpha, bool accumulate, cudaStream_t stream);
}  // namespace nfs::cuda
#endif
