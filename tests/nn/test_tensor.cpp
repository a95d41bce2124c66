#include <catch2/catch.hpp>

#include "nn/tensor.h"
#include "support/gpu.h"

using namespace nfs;

TEST_CASE("tensor basics on the CPU", "[tensor]") {
  Tensor t = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(t.numel() == 6);
  CHECK(t.size(-1) == 3);
  CHECK(t.shape().rows() == 2);
  Tensor r = t.reshape({3, 2});
  CHECK(r.f32() == t.f32());  // a view shares storage
  Tensor c = t.clone();
  c.fill_(7.0f);
  CHECK(t.to_vector()[0] == 1.0f);
  t.add_(Tensor::full({2, 3}, 0.5f), 2.0f);
  CHECK(t.to_vector() == std::vector<float>{2, 3, 4, 5, 6, 7});
  CHECK_THROWS_WITH(t.reshape({4, 2}), Catch::Contains("[2, 3] to [4, 2]"));
  CHECK_THROWS_AS(Tensor::from_vector({2}, {1, 2, 3}), std::invalid_argument);
  CHECK_THROWS(Shape({1, 2, 3, 4, 5}));
}

TEST_CASE("parse_device", "[tensor]") {
  CHECK(parse_device("cpu") == Device::CPU);
  CHECK(parse_device("auto") == (cuda_available() ? Device::CUDA : Device::CPU));
  CHECK_THROWS_WITH(parse_device("tpu"), Catch::Contains("unknown device 'tpu'"));
  if (!cuda_available()) CHECK_THROWS_WITH(parse_device("cuda"), Catch::Contains("--device cpu"));
}

TEST_CASE("tensor host-device round trip and caching allocator", "[tensor][gpu]") {
  NFS_REQUIRE_GPU();
  Tensor h = Tensor::from_vector({4}, {1, -2, 3, -4});
  Tensor d = h.to(Device::CUDA);
  CHECK(d.is_cuda());
  d.add_(d.clone(), 1.0f);
  CHECK(d.to_vector() == std::vector<float>{2, -4, 6, -8});
  d.fill_(3.0f);
  CHECK(d.to(Device::CPU).to_vector() == std::vector<float>{3, 3, 3, 3});
  void* first = nullptr;
  {
    Tensor a = Tensor::empty({1000}, Device::CUDA);
    first = a.raw();
  }
  Tensor b = Tensor::empty({1000}, Device::CUDA);
  CHECK(b.raw() == first);  // the freed block is reused, not returned to the driver
}
