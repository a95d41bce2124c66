#include <cstddef>
#include <vector>

#include "kernels/broadcast.h"

namespace nfs::cpu {

void binary_forward(float* out, const float* a, const float* b, const BroadcastShape& s,
                    BinaryOp op) {
  const int64_t* d = s.dims;
  const int64_t* sa = s.stride_a;
  const int64_t* sb = s.stride_b;
  int64_t i = 0;
  for (int64_t i0 = 0; i0 < d[0]; ++i0)
    for (int64_t i1 = 0; i1 < d[1]; ++i1)
      for (int64_t i2 = 0; i2 < d[2]; ++i2)
        for (int64_t i3 = 0; i3 < d[3]; ++i3, ++i) {
          const float x = a[i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3]];
          const float y = b[i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3]];
          out[i] = op == BinaryOp::kAdd ? x + y : op == BinaryOp::kSub ? x - y : x * y;
        }
}

void reduce_to_shape(float* out, const float* factor, const float* grad, const ReduceShape& s,
                     float alpha, bool accumulate) {
  const int64_t* d = s.dims;
  const int64_t* od = s.operand_dims;
  const int64_t* sf = s.stride_factor;
  // The operand's contiguous strides, 0 on its broadcast axes (where every i maps to t's 0).
  int64_t so[4];
  int64_t n_out = 1;
  for (int k = 3; k >= 0; --k) {
    so[k] = od[k] == 1 ? 0 : n_out;
    n_out *= od[k];
  }
  std::vector<double> acc(static_cast<size_t>(n_out), 0.0);
  int64_t i = 0;
  for (int64_t i0 = 0; i0 < d[0]; ++i0)
    for (int64_t i1 = 0; i1 < d[1]; ++i1)
      for (int64_t i2 = 0; i2 < d[2]; ++i2)
        for (int64_t i3 = 0; i3 < d[3]; ++i3, ++i) {
          float v = grad[i];
          if (factor) v *= factor[i0 * sf[0] + i1 * sf[1] + i2 * sf[2] + i3 * sf[3]];
          acc[i0 * so[0] + i1 * so[1] + i2 * so[2] + i3 * so[3]] += v;
        }
  for (int64_t t = 0; t < n_out; ++t) {
    const float v = static_cast<float>(alpha * acc[t]);
    out[t] = accumulate ? out[t] + v : v;
  }
}

}  // namespace nfs::cpu
