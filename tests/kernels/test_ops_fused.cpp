// Cases for the fused network ops.
#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(spectral_diffusion) {
  OpCase c;
  const int64_t V = 9, K = 5, C = 4;
  c.inputs = {random_tensor({2, V, C}, 41), random_tensor({C}, 42, 0.05f, 1.0f)};
  Tensor evecs = random_tensor({V, K}, 43);
  Tensor mass_evecs = random_tensor({V, K}, 44);  // any matrix: the op takes MΦ as given
  Tensor evals = random_tensor({K}, 45, 0.0f, 3.0f);
  c.fn = [=](const std::vector<Var>& v) {
    const Device d = v[0].device();
    return spectral_diffusion(v[0], v[1], evecs.to(d), mass_evecs.to(d), evals.to(d));
  };
  c.gpu_why = "cuBLAS summation order over V and K; expf vs std::exp";
  return c;
}
