// The one list of differentiable ops. tests/kernels/ registers a case per op with NFS_OP_CASE;
// a coverage test fails for any op here without a case, so this list and the tests cannot drift.
#pragma once

#define NFS_OP_LIST(X)                                                                     \
  X(matmul)                                                                                \
  X(linear) X(add) X(sub) X(mul) X(scale) X(relu) X(leaky_relu) X(tanh) X(sigmoid) X(exp)  \
      X(reshape) X(concat) X(slice) X(sum) X(mean) X(vertex_mean) X(group_norm) X(dropout) \
          X(vertex_normals) X(conv2d) X(weight_norm) X(spmm) X(spectral_diffusion)         \
              X(localized_linear) X(gn_mlp) X(mse_loss) X(bce_loss) X(hinge01_loss)
