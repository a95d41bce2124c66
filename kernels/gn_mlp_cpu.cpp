#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/gn_mlp.h"
#include "kernels/matmul.h"

namespace nfs::cpu {

void stats_finalize(float* mean_rstd, const double* sums, const GnDims& d, float eps) {
  const double count = double(d.vertices) * (d.channels / d.groups);
  for (int64_t i = 0; i < d.batch * d.groups; ++i) {
    const double mean = sums[2 * i] / count;
    const double var = std::max(0.0, sums[2 * i + 1] / count - mean * mean);
    mean_rstd[2 * i] = static_cast<float>(mean);
    mean_rstd[2 * i + 1] = static_cast<float>(1.0 / std::sqrt(var + eps));
  }
}

void group_stats(float* mean_rstd, const float* x, const GnDims& d, float eps) {
  const int64_t C = d.channels, cpg = C / d.groups;
  std::vector<double> sums(2 * d.batch * d.groups, 0.0);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t v = 0; v < d.vertices; ++v)
      for (int64_t c = 0; c < C; ++c) {
        const double val = x[(b * d.vertices + v) * C + c];
        const int64_t g = b * d.groups + c / cpg;
        sums[2 * g] += val;
        sums[2 * g + 1] += val * val;
      }
  stats_finalize(mean_rstd, sums.data(), d, eps);
}

void gn_affine(float* scale, float* shift, const float* mean_rstd, const float* gamma,
               const float* beta, const GnDims& d) {
  const int64_t C = d.channels, cpg = C / d.groups;
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t c = 0; c < C; ++c) {
      const int64_t g = b * d.groups + c / cpg;
      const float a = gamma[c] * mean_rstd[2 * g + 1];
      scale[b * C + c] = a;
      shift[b * C + c] = beta[c] - mean_rstd[2 * g] * a;
    }
}

void norm_relu_apply(float* act, const float* x, const float* scale, const float* shift,
                     const GnDims& d) {
  const int64_t C = d.channels;
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t v = 0; v < d.vertices; ++v)
      for (int64_t c = 0; c < C; ++c) {
        const int64_t i = (b * d.vertices + v) * C + c;
        act[i] = std::max(0.0f, x[i] * scale[b * C + c] + shift[b * C + c]);
      }
}

void norm_relu_linear_forward(float* y, double* y_sums, const float* x, const float* scale,
                              const float* shift, const float* weight, const float* bias,
                              const GnDims& in, int64_t N, int out_groups) {
  const int64_t rows = in.batch * in.vertices, K = in.channels;
  std::vector<float> act(static_cast<size_t>(rows * K));
  norm_relu_apply(act.data(), x, scale, shift, in);
  gemm(y, act.data(), weight, GemmShape{1, rows, N, K, false, true, 0, 0, 0}, 1.0f, 0.0f);
  const int64_t cpg = out_groups > 0 ? N / out_groups : N;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t n = 0; n < N; ++n) {
      float& v = y[r * N + n];
      if (bias) v += bias[n];
      if (y_sums) {
        const int64_t g = (r / in.vertices) * out_groups + n / cpg;
        y_sums[2 * g] += v;
        y_sums[2 * g + 1] += double(v) * v;
      }
    }
}

void gn_relu_backward(float* dx, float* dgamma, float* dbeta, const float* d_act, const float* x,
                      const float* mean_rstd, const float* gamma, const float* beta,
                      const GnDims& d) {
  const int64_t C = d.channels, cpg = C / d.groups, V = d.vertices;
  const double count = double(V) * cpg;
  std::vector<double> dg(C, 0.0), db(C, 0.0);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t g = 0; g < d.groups; ++g) {
      const float mean = mean_rstd[2 * (b * d.groups + g)];
      const float rstd = mean_rstd[2 * (b * d.groups + g) + 1];
      // Pass 1: Σ dx̂ and Σ dx̂ · x̂ over the group's elements; dγ, dβ per channel.
      double s1 = 0.0, s2 = 0.0;
      for (int64_t v = 0; v < V; ++v)
        for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c) {
          const int64_t i = (b * V + v) * C + c;
          const float xh = (x[i] - mean) * rstd;
          const float pre = gamma[c] * xh + beta[c];
          const float dpre = pre > 0.0f ? d_act[i] : 0.0f;
          dg[c] += double(dpre) * xh;
          db[c] += dpre;
          const double dxh = double(dpre) * gamma[c];
          s1 += dxh;
          s2 += dxh * xh;
        }
      // Pass 2: dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ x̂)).
      for (int64_t v = 0; v < V; ++v)
        for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c) {
          const int64_t i = (b * V + v) * C + c;
          const float xh = (x[i] - mean) * rstd;
          const float pre = gamma[c] * xh + beta[c];
          const double dxh = (pre > 0.0f ? d_act[i] : 0.0f) * double(gamma[c]);
          dx[i] = static_cast<float>(rstd * (dxh - s1 / count - xh * s2 / count));
        }
    }
  for (int64_t c = 0; c < C; ++c) {
    dgamma[c] += static_cast<float>(dg[c]);
    dbeta[c] += static_cast<float>(db[c]);
  }
}

}  // namespace nfs::cpu
