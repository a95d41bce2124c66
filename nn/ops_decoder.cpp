// gn_mlp: the fused GroupNorm-MLP decoder tail as one autograd node. The forward keeps each
// layer's pre-norm activations h_i and its statistics; the backward recomputes relu(GN(h_i))
// per layer instead of storing it.
#include <stdexcept>
#include <string>

#include "kernels/bias.h"
#include "kernels/gn_mlp.h"
#include "kernels/matmul.h"
#include "nn/dispatch.h"
#include "nn/ops.h"

namespace nfs {

namespace {

// Doubles borrowed from the float allocator: `count` (Σ, Σ²) pairs = 4·count floats.
Tensor double_buffer(int64_t count, Device dev) { return Tensor::zeros({4 * count}, dev); }
double* as_doubles(Tensor& t) { return static_cast<double*>(t.raw()); }

struct LayerState {
  Tensor h;          // [B, V, H] input of this GroupNorm
  Tensor mean_rstd;  // [B, G, 2]
  Tensor scale, shift;  // [B, H]
};

void compute_affine(LayerState& s, const Tensor& gamma, const Tensor& beta, const GnDims& d) {
  s.scale = Tensor::empty({d.batch, d.channels}, s.h.device());
  s.shift = Tensor::empty({d.batch, d.channels}, s.h.device());
  NFS_DISPATCH(s.h.device(),
               cpu::gn_affine(s.scale.f32(), s.shift.f32(), s.mean_rstd.f32(), gamma.f32(), beta.f32(), d),
               cuda::gn_affine(s.scale.f32(), s.shift.f32(), s.mean_rstd.f32(), gamma.f32(), beta.f32(), d,
                               cuda::stream()));
}

}  // namespace

Var gn_mlp(const Var& h0, const std::vector<Var>& gammas, const std::vector<Var>& betas,
           const std::vector<Var>& weights, const Var& out_weight, const Var& out_bias, int groups,
           float eps) {
  const Tensor& H0 = h0.value();
  const size_t n = gammas.size();
  if (H0.ndim() != 3 || n == 0 || betas.size() != n || weights.size() + 1 != n)
    throw std::invalid_argument("gn_mlp: expected h0 [B, V, H], n norms and n-1 hidden weights");
  const int64_t B = H0.size(0), V = H0.size(1), H = H0.size(2), N = out_weight.shape()[0];
  if (groups <= 0 || H % groups != 0)
    throw std::invalid_argument("gn_mlp: " + std::to_string(H) + " channels in " + std::to_string(groups) + " groups");
  for (size_t i = 0; i < n; ++i) {
    check_shape(gammas[i].value(), Shape{H}, "gn_mlp gamma");
    check_shape(betas[i].value(), Shape{H}, "gn_mlp beta");
  }
  for (const Var& w : weights) check_shape(w.value(), Shape{H, H}, "gn_mlp hidden weight");
  check_shape(out_weight.value(), Shape{N, H}, "gn_mlp output weight");
  check_shape(out_bias.value(), Shape{N}, "gn_mlp output bias");
  const Device dev = H0.device();
  const GnDims dims{B, V, H, groups};

  auto layers = std::make_shared<std::vector<LayerState>>(n);
  (*layers)[0].h = H0;
  (*layers)[0].mean_rstd = Tensor::empty({B, groups, 2}, dev);
  {
    Tensor scratch = double_buffer(B * groups, dev);
    NFS_DISPATCH(dev, cpu::group_stats((*layers)[0].mean_rstd.f32(), H0.f32(), dims, eps),
                 cuda::group_stats((*layers)[0].mean_rstd.f32(), as_doubles(scratch), H0.f32(), dims, eps,
                                   cuda::stream()));
  }
  Tensor out = Tensor::empty({B, V, N}, dev);
  for (size_t i = 0; i < n; ++i) {
    LayerState& s = (*layers)[i];
    compute_affine(s, gammas[i].value(), betas[i].value(), dims);
    const bool last = i + 1 == n;
    Tensor y = last ? out : Tensor::empty({B, V, H}, dev);
    Tensor sums = last ? Tensor() : double_buffer(B * groups, dev);
    double* sums_ptr = last ? nullptr : as_doubles(sums);
    const float* w = last ? out_weight.value().f32() : weights[i].value().f32();
    const float* bias = last ? out_bias.value().f32() : nullptr;
    const int64_t n_out = last ? N : H;
    NFS_DISPATCH(dev,
                 cpu::norm_relu_linear_forward(y.f32(), sums_ptr, s.h.f32(), s.scale.f32(), s.shift.f32(), w,
                                               bias, dims, n_out, groups),
                 cuda::norm_relu_linear_forward(y.f32(), sums_ptr, s.h.f32(), s.scale.f32(), s.shift.f32(), w,
                                                bias, dims, n_out, groups, cuda::stream()));
    if (!grad_enabled()) s = LayerState();  // inference keeps only the layer in flight
    if (!last) {
      LayerState& next = (*layers)[i + 1];
      next.h = y;
      next.mean_rstd = Tensor::empty({B, groups, 2}, dev);
      NFS_DISPATCH(dev, cpu::stats_finalize(next.mean_rstd.f32(), sums_ptr, dims, eps),
                   cuda::stats_finalize(next.mean_rstd.f32(), sums_ptr, dims, eps, cuda::stream()));
    }
  }

  std::vector<Var> inputs{h0};
  for (size_t i = 0; i < n; ++i) {
    inputs.push_back(gammas[i]);
    inputs.push_back(betas[i]);
  }
  for (const Var& w : weights) inputs.push_back(w);
  inputs.push_back(out_weight);
  inputs.push_back(out_bias);
  return make_result(out, "gn_mlp", inputs, [=](const Tensor& grad) {
    const int64_t rows = B * V;
    Tensor g = grad;  // gradient w.r.t. this layer's output, [B, V, N or H]
    for (size_t k = n; k-- > 0;) {
      LayerState& s = (*layers)[k];
      const bool last = k + 1 == n;
      VarImpl* wi = last ? inputs[inputs.size() - 2].impl() : inputs[1 + 2 * n + k].impl();
      const int64_t n_out = last ? N : H;
      Tensor act = Tensor::empty({B, V, H}, dev);
      NFS_DISPATCH(dev, cpu::norm_relu_apply(act.f32(), s.h.f32(), s.scale.f32(), s.shift.f32(), dims),
                   cuda::norm_relu_apply(act.f32(), s.h.f32(), s.scale.f32(), s.shift.f32(), dims, cuda::stream()));
      if (wi->requires_grad) {  // dW [n_out, H] += gᵀ act
        Tensor dw = grad_target(wi);
        const GemmShape gs{1, n_out, H, rows, true, false, 0, 0, 0};
        NFS_DISPATCH(dev, cpu::gemm(dw.f32(), g.f32(), act.f32(), gs, 1.0f, 1.0f),
                     cuda::gemm(dw.f32(), g.f32(), act.f32(), gs, 1.0f, 1.0f, cuda::stream()));
        finish_grad(wi, dw);
      }
      if (last) {
        VarImpl* bi = inputs.back().impl();
        if (bi->requires_grad) {
          Tensor db = grad_target(bi);
          NFS_DISPATCH(dev, cpu::bias_backward(db.f32(), g.f32(), rows, N),
                       cuda::bias_backward(db.f32(), g.f32(), rows, N, cuda::stream()));
          finish_grad(bi, db);
        }
      }
      // d act [rows, H] = g [rows, n_out] · W [n_out, H]
      Tensor d_act = Tensor::empty({B, V, H}, dev);
      const float* w = wi->value.f32();
      const GemmShape as{1, rows, H, n_out, false, false, 0, 0, 0};
      NFS_DISPATCH(dev, cpu::gemm(d_act.f32(), g.f32(), w, as, 1.0f, 0.0f),
                   cuda::gemm(d_act.f32(), g.f32(), w, as, 1.0f, 0.0f, cuda::stream()));
      VarImpl* gi = inputs[1 + 2 * k].impl();
      VarImpl* bi = inputs[2 + 2 * k].impl();
      // The kernel always produces dγ, dβ: scratch zeros when they are not wanted.
      Tensor dgamma = gi->requires_grad ? grad_target(gi) : Tensor::zeros({H}, dev);
      Tensor dbeta = bi->requires_grad ? grad_target(bi) : Tensor::zeros({H}, dev);
      Tensor dh = Tensor::empty({B, V, H}, dev);
#if NFS_WITH_CUDA
      Tensor scratch = dev == Device::CUDA ? double_buffer(B * groups, dev) : Tensor();
#endif
      NFS_DISPATCH(dev,
                   cpu::gn_relu_backward(dh.f32(), dgamma.f32(), dbeta.f32(), d_act.f32(), s.h.f32(),
                                         s.mean_rstd.f32(), gi->value.f32(), bi->value.f32(), dims),
                   cuda::gn_relu_backward(dh.f32(), dgamma.f32(), dbeta.f32(), as_doubles(scratch), d_act.f32(),
                                          s.h.f32(), s.mean_rstd.f32(), gi->value.f32(), bi->value.f32(), dims,
                                          cuda::stream()));
      if (gi->requires_grad) finish_grad(gi, dgamma);
      if (bi->requires_grad) finish_grad(bi, dbeta);
      g = dh;
    }
    accumulate_grad(inputs[0].impl(), g);
  });
}

}  // namespace nfs
