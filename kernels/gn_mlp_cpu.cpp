#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu_parallel.h"
#include "kernels/gn_mlp.h"
#include "kernels/matmul.h"

namespace nfs::cpu {

namespace {
// Rows per task: fixed (never derived from the thread count), so the statistics are summed in
// the same order on any machine; the normalized input of one task (256 × C floats) stays in L2.
constexpr int64_t kRows = 256;

// Tasks never straddle two meshes: task t covers rows [r0, r1) of mesh b.
struct RowTask {
  int64_t b, r0, r1;
};
struct RowTasks {
  int64_t vertices, per_mesh, count;
  RowTasks(const GnDims& d)
      : vertices(d.vertices), per_mesh((d.vertices + kRows - 1) / kRows), count(d.batch * per_mesh) {}
  RowTask operator[](int64_t t) const {
    const int64_t b = t / per_mesh, v0 = (t % per_mesh) * kRows;
    return {b, b * vertices + v0, b * vertices + std::min(vertices, v0 + kRows)};
  }
};

// Per-channel (Σ, Σ²) of rows [r0, r1) of y [*, C] into col[2C] (overwritten), in double: one
// accumulator per channel keeps the loop free of divisions and vectorizable.
void column_sums(double* col, const float* y, int64_t r0, int64_t r1, int64_t C) {
  std::fill(col, col + 2 * C, 0.0);
  double* sq = col + C;
  for (int64_t r = r0; r < r1; ++r) {
    const float* row = y + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const double v = row[c];
      col[c] += v;
      sq[c] += v * v;
    }
  }
}

// Folds per-channel sums into (Σ, Σ²) per group: part[2g], part[2g + 1].
void group_sums(double* part, const double* col, int64_t C, int groups) {
  const int64_t cpg = C / groups;
  for (int g = 0; g < groups; ++g) {
    double s = 0.0, q = 0.0;
    for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c) {
      s += col[c];
      q += col[C + c];
    }
    part[2 * g] = s;
    part[2 * g + 1] = q;
  }
}

// sums[b, g] += the tasks' partials, in task order (the same for any number of threads).
void reduce_tasks(double* sums, const std::vector<double>& part, const RowTasks& tasks, int groups) {
  for (int64_t t = 0; t < tasks.count; ++t) {
    const int64_t b = tasks[t].b;
    for (int64_t i = 0; i < 2 * groups; ++i) sums[2 * b * groups + i] += part[t * 2 * groups + i];
  }
}

// act rows [0, r1 - r0) = relu(x rows [r0, r1) · scale_b + shift_b).
void norm_relu_rows(float* act, const float* x, const float* scale, const float* shift, int64_t r0,
                    int64_t r1, int64_t C) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* in = x + r * C;
    float* out = act + (r - r0) * C;
    for (int64_t c = 0; c < C; ++c) out[c] = std::max(0.0f, in[c] * scale[c] + shift[c]);
  }
}
}  // namespace

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
  const int64_t C = d.channels;
  const RowTasks tasks(d);
  std::vector<double> part(tasks.count * 2 * d.groups);
  std::vector<std::vector<double>> col(parallel_workers(tasks.count), std::vector<double>(2 * C));
  parallel_chunks(tasks.count, [&](int w, int64_t t) {
    column_sums(col[w].data(), x, tasks[t].r0, tasks[t].r1, C);
    group_sums(&part[t * 2 * d.groups], col[w].data(), C, d.groups);
  });
  std::vector<double> sums(2 * d.batch * d.groups, 0.0);
  reduce_tasks(sums.data(), part, tasks, d.groups);
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
  const RowTasks tasks(d);
  parallel_chunks(tasks.count, [&](int, int64_t t) {
    const RowTask k = tasks[t];
    norm_relu_rows(act + k.r0 * C, x, scale + k.b * C, shift + k.b * C, k.r0, k.r1, C);
  });
}

// Per task of kRows rows: normalize + ReLU into a cache-resident block, one GEMM, then bias and
// the per-channel sums while the output block is still in cache.
void norm_relu_linear_forward(float* y, double* y_sums, const float* x, const float* scale,
                              const float* shift, const float* weight, const float* bias,
                              const GnDims& in, int64_t N, int out_groups) {
  const int64_t K = in.channels;
  const int G = out_groups > 0 ? out_groups : 1;
  const RowTasks tasks(in);
  const int workers = parallel_workers(tasks.count);
  std::vector<std::vector<float>> act(workers, std::vector<float>(kRows * K));
  std::vector<std::vector<double>> col(workers, std::vector<double>(y_sums ? 2 * N : 0));
  std::vector<double> part(y_sums ? tasks.count * 2 * G : 0);
  parallel_chunks(tasks.count, [&](int w, int64_t t) {
    const RowTask k = tasks[t];
    norm_relu_rows(act[w].data(), x, scale + k.b * K, shift + k.b * K, k.r0, k.r1, K);
    gemm(y + k.r0 * N, act[w].data(), weight, GemmShape{1, k.r1 - k.r0, N, K, false, true, 0, 0, 0},
         1.0f, 0.0f);
    if (bias)
      for (int64_t r = k.r0; r < k.r1; ++r)
        for (int64_t n = 0; n < N; ++n) y[r * N + n] += bias[n];
    if (y_sums) {
      column_sums(col[w].data(), y, k.r0, k.r1, N);
      group_sums(&part[t * 2 * G], col[w].data(), N, G);
    }
  });
  if (y_sums) reduce_tasks(y_sums, part, tasks, G);
}

// Σ dpre and Σ dpre · x̂ per (mesh, channel) are all the reduction needs: the group sums of
// dx̂ = γ · dpre follow as Σ_c γ_c · Σ dpre and Σ_c γ_c · Σ dpre · x̂. Pass 1 sums them per row
// task (per-channel accumulators, no group index in the loop), pass 2 writes dx.
void gn_relu_backward(float* dx, float* dgamma, float* dbeta, const float* d_act, const float* x,
                      const float* mean_rstd, const float* gamma, const float* beta,
                      const GnDims& d) {
  const int64_t C = d.channels, cpg = C / d.groups;
  const double count = double(d.vertices) * cpg;
  // Per (b, c): the group's mean and rstd spread over its channels.
  std::vector<float> mean(d.batch * C), rstd(d.batch * C);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t c = 0; c < C; ++c) {
      mean[b * C + c] = mean_rstd[2 * (b * d.groups + c / cpg)];
      rstd[b * C + c] = mean_rstd[2 * (b * d.groups + c / cpg) + 1];
    }
  const RowTasks tasks(d);
  std::vector<double> part(tasks.count * 2 * C);  // per task: Σ dpre · x̂ [C], Σ dpre [C]
  parallel_chunks(tasks.count, [&](int, int64_t t) {
    const RowTask k = tasks[t];
    const float *m = &mean[k.b * C], *rs = &rstd[k.b * C];
    double *sx = &part[t * 2 * C], *sd = sx + C;
    for (int64_t r = k.r0; r < k.r1; ++r)
      for (int64_t c = 0; c < C; ++c) {
        const float xh = (x[r * C + c] - m[c]) * rs[c];
        const float dpre = gamma[c] * xh + beta[c] > 0.0f ? d_act[r * C + c] : 0.0f;
        sx[c] += double(dpre) * xh;
        sd[c] += dpre;
      }
  });
  std::vector<double> sums(d.batch * 2 * C, 0.0);  // per mesh, in task order
  for (int64_t t = 0; t < tasks.count; ++t)
    for (int64_t i = 0; i < 2 * C; ++i) sums[tasks[t].b * 2 * C + i] += part[t * 2 * C + i];
  // Per (b, c): dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ x̂)) takes the group's two means.
  std::vector<double> m1(d.batch * C), m2(d.batch * C);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t g = 0; g < d.groups; ++g) {
      double s1 = 0.0, s2 = 0.0;
      for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c) {
        s2 += gamma[c] * sums[b * 2 * C + c];
        s1 += gamma[c] * sums[b * 2 * C + C + c];
      }
      for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c) {
        m1[b * C + c] = s1 / count;
        m2[b * C + c] = s2 / count;
      }
    }
  parallel_chunks(tasks.count, [&](int, int64_t t) {
    const RowTask k = tasks[t];
    const int64_t o = k.b * C;
    for (int64_t r = k.r0; r < k.r1; ++r)
      for (int64_t c = 0; c < C; ++c) {
        const int64_t i = r * C + c;
        const float xh = (x[i] - mean[o + c]) * rstd[o + c];
        const double dxh = (gamma[c] * xh + beta[c] > 0.0f ? d_act[i] : 0.0f) * double(gamma[c]);
        dx[i] = static_cast<float>(rstd[o + c] * (dxh - m1[o + c] - xh * m2[o + c]));
      }
  });
  for (int64_t c = 0; c < C; ++c) {
    double dg = 0.0, db = 0.0;
    for (int64_t b = 0; b < d.batch; ++b) {
      dg += sums[b * 2 * C + c];
      db += sums[b * 2 * C + C + c];
    }
    dgamma[c] += static_cast<float>(dg);
    dbeta[c] += static_cast<float>(db);
  }
}

}  // namespace nfs::cpu
