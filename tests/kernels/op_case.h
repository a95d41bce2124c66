// The op test harness, in the spirit of ggml's test-backend-ops.
//
// Each op of nn/op_list.h registers one case with NFS_OP_CASE(name) { ... return OpCase; }.
// The macro creates two test cases per op:
//   "gradcheck/<op>"   [op][cpu]: every backward against central differences on the CPU;
//   "cuda-parity/<op>" [op][gpu]: forward output and every input gradient, CPU against CUDA,
//                                 skipped (named, counted) where no CUDA device exists.
// A coverage test fails for any op in NFS_OP_LIST without a registered case.
#pragma once
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nn/ops.h"

namespace nfs::test {

struct OpCase {
  std::vector<Tensor> inputs;      // CPU tensors; copied to the device for parity
  std::vector<bool> differentiable;  // per input: check its gradient (default: all)
  std::function<Var(const std::vector<Var>&)> fn;  // builds the op on the given inputs
  // Finite differences: step, and |analytic - numeric| <= atol + rtol * max(|a|, |n|).
  float fd_eps = 3e-3f, fd_rtol = 2e-2f, fd_atol = 2e-3f;
  // CPU vs CUDA tolerance, and why it is what it is.
  float gpu_rtol = 1e-4f, gpu_atol = 1e-5f;
  const char* gpu_why = "same FP32 arithmetic, different summation order";
};

using OpCaseFactory = OpCase (*)();
bool register_op_case(const char* name, OpCaseFactory factory);
void run_gradcheck(const char* name, const OpCase& c);
void run_parity(const char* name, const OpCase& c);

// Random inputs from a fixed seed per call site.
Tensor random_tensor(const Shape& shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f);

// max |a - b| over the largest |a|: CPU-vs-CUDA error for outputs that are sums of many signed
// terms, where single entries near 0 carry the rounding of the whole sum.
double scaled_max_error(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace nfs::test

#define NFS_OP_CASE(opname)                                                                   \
  static ::nfs::test::OpCase nfs_make_case_##opname();                                       \
  static const bool nfs_registered_##opname =                                               \
      ::nfs::test::register_op_case(#opname, &nfs_make_case_##opname);                       \
  TEST_CASE("gradcheck/" #opname, "[op][cpu]") {                                              \
    ::nfs::test::run_gradcheck(#opname, nfs_make_case_##opname());                           \
  }                                                                                          \
  TEST_CASE("cuda-parity/" #opname, "[op][gpu]") {                                            \
    NFS_REQUIRE_GPU();                                                                       \
    ::nfs::test::run_parity(#opname, nfs_make_case_##opname());                              \
  }                                                                                          \
  static ::nfs::test::OpCase nfs_make_case_##opname()
