// Case for the differentiable geometry op.
#include "kernels/op_case.h"
#include "support/gpu.h"

using namespace nfs;
using nfs::test::OpCase;
using nfs::test::random_tensor;

NFS_OP_CASE(vertex_normals) {
  // A jittered octahedron (closed, outward-facing) in two frames.
  OpCase c;
  std::vector<float> base = {1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1};
  std::vector<float> jitter = random_tensor({2, 6, 3}, 101, -0.2f, 0.2f).to_vector();
  for (size_t i = 0; i < jitter.size(); ++i) jitter[i] += base[i % base.size()];
  c.inputs = {Tensor::from_vector({2, 6, 3}, jitter)};
  Tensor faces = Tensor::from_ints({8, 3}, {0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5});
  c.fn = [=](const std::vector<Var>& v) { return vertex_normals(v[0], faces.to(v[0].device())); };
  c.fd_eps = 1e-3f;
  c.gpu_why = "face sums scattered with atomics in varying order";
  return c;
}
