#include <cstring>
#include <vector>

#include "kernels/localized_linear.h"
#include "kernels/matmul.h"

namespace nfs::cpu {

namespace {
// scratch_w[b, o, j] = W[o, j] · z[b, j]
void scale_weight(float* wz, const float* w, const float* z, const LocalizedDims& d) {
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t o = 0; o < d.hidden; ++o)
      for (int64_t j = 0; j < d.code; ++j)
        wz[(b * d.hidden + o) * d.code + j] = w[o * d.code + j] * z[b * d.code + j];
}
}  // namespace

void localized_linear_forward(float* out, float* scratch_w, const float* target_term,
                              const float* omega, const float* z, const float* weight,
                              const LocalizedDims& d) {
  const int64_t VH = d.vertices * d.hidden;
  for (int64_t b = 0; b < d.batch; ++b)
    std::memcpy(out + b * VH, target_term + (d.target_shared ? 0 : b * VH), sizeof(float) * VH);
  scale_weight(scratch_w, weight, z, d);
  // out[b] += ω_b · (W diag z_b)ᵀ
  gemm(out, omega, scratch_w,
       GemmShape{d.batch, d.vertices, d.hidden, d.code, false, true,
                 d.omega_shared ? 0 : d.vertices * d.code, d.hidden * d.code, VH},
       1.0f, 1.0f);
}

void localized_linear_backward(float* d_target, float* d_omega, float* d_z, float* d_weight,
                               float* scratch_w, float* scratch_p, const float* grad,
                               const float* omega, const float* z, const float* weight,
                               const LocalizedDims& d) {
  const int64_t VH = d.vertices * d.hidden, VC = d.vertices * d.code, HC = d.hidden * d.code;
  if (d_target) {
    if (!d.target_shared) {
      std::memcpy(d_target, grad, sizeof(float) * VH * d.batch);
    } else {
      std::vector<double> acc(VH, 0.0);
      for (int64_t b = 0; b < d.batch; ++b)
        for (int64_t i = 0; i < VH; ++i) acc[i] += grad[b * VH + i];
      for (int64_t i = 0; i < VH; ++i) d_target[i] = static_cast<float>(acc[i]);
    }
  }
  if (d_omega) {
    scale_weight(scratch_w, weight, z, d);
    if (d.omega_shared) {
      for (int64_t b = 0; b < d.batch; ++b)
        gemm(d_omega, grad + b * VH, scratch_w + b * HC,
             GemmShape{1, d.vertices, d.code, d.hidden, false, false, 0, 0, 0}, 1.0f, b == 0 ? 0.0f : 1.0f);
    } else {
      gemm(d_omega, grad, scratch_w,
           GemmShape{d.batch, d.vertices, d.code, d.hidden, false, false, VH, HC, VC}, 1.0f, 0.0f);
    }
  }
  if (d_z || d_weight) {
    // P_b = g_bᵀ ω_b  [H, Cz]
    gemm(scratch_p, grad, omega,
         GemmShape{d.batch, d.hidden, d.code, d.vertices, true, false, VH, d.omega_shared ? 0 : VC, HC},
         1.0f, 0.0f);
    for (int64_t b = 0; b < d.batch; ++b)
      for (int64_t j = 0; j < d.code; ++j) {
        double dz = 0.0;
        for (int64_t o = 0; o < d.hidden; ++o) {
          const float p = scratch_p[b * HC + o * d.code + j];
          dz += double(p) * weight[o * d.code + j];
          if (d_weight) d_weight[o * d.code + j] += p * z[b * d.code + j];
        }
        if (d_z) d_z[b * d.code + j] = static_cast<float>(dz);
      }
  }
}

}  // namespace nfs::cpu
