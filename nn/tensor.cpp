#include "nn/tensor.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/cuda_context.h"
#include "kernels/fill.h"
#include "nn/cuda_allocator.h"
#include "nn/host_allocator.h"
#if NFS_WITH_CUDA
#include "kernels/cuda_check.h"
#endif

namespace nfs {

const char* device_name(Device d) { return d == Device::CUDA ? "cuda" : "cpu"; }

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::CPU;
  if (name == "cuda" || name == "gpu") {
    if (!cuda_available())
      throw std::runtime_error(
#if NFS_WITH_CUDA
          "--device cuda: no CUDA device found; use --device cpu"
#else
          "--device cuda: this build has no CUDA support; use --device cpu"
#endif
      );
    return Device::CUDA;
  }
  if (name == "auto") return cuda_available() ? Device::CUDA : Device::CPU;
  throw std::invalid_argument("unknown device '" + name + "' (expected cpu, cuda or auto)");
}

// ---- Buffer --------------------------------------------------------------------------------
Buffer::Buffer(size_t bytes, Device device) : bytes_(bytes), device_(device) {
  if (device == Device::CUDA) {
#if NFS_WITH_CUDA
    ptr_ = cuda::device_alloc(bytes);
#else
    throw std::runtime_error("this build has no CUDA support");
#endif
  } else {
    ptr_ = host::alloc(bytes);
  }
}

Buffer::~Buffer() {
  if (device_ == Device::CUDA) {
#if NFS_WITH_CUDA
    cuda::device_free(ptr_, bytes_);
#endif
  } else {
    host::free(ptr_, bytes_);
  }
}

// ---- Tensor --------------------------------------------------------------------------------
Tensor Tensor::empty(const Shape& shape, Device device, DType dtype) {
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.device_ = device;
  t.buf_ = std::make_shared<Buffer>(static_cast<size_t>(shape.numel()) * dtype_size(dtype), device);
  return t;
}

Tensor Tensor::zeros(const Shape& shape, Device device, DType dtype) {
  Tensor t = empty(shape, device, dtype);
  t.zero_();
  return t;
}

Tensor Tensor::full(const Shape& shape, float value, Device device) {
  Tensor t = empty(shape, device);
  t.fill_(value);
  return t;
}

namespace {
void copy_bytes(void* dst, Device dst_dev, const void* src, Device src_dev, size_t bytes) {
  if (bytes == 0) return;
  if (dst_dev == Device::CPU && src_dev == Device::CPU) {
    std::memcpy(dst, src, bytes);
    return;
  }
#if NFS_WITH_CUDA
  cudaMemcpyKind kind = dst_dev == Device::CPU   ? cudaMemcpyDeviceToHost
                        : src_dev == Device::CPU ? cudaMemcpyHostToDevice
                                                 : cudaMemcpyDeviceToDevice;
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, kind, cuda::stream()));
  // Host memory may be pageable and go out of scope: copies touching the host complete here.
  if (kind != cudaMemcpyDeviceToDevice) cuda::synchronize();
#else
  throw std::runtime_error("this build has no CUDA support");
#endif
}
}  // namespace

Tensor Tensor::from_vector(const Shape& shape, const std::vector<float>& values, Device device) {
  if (static_cast<int64_t>(values.size()) != shape.numel())
    throw std::invalid_argument("Tensor::from_vector: " + std::to_string(values.size()) +
                                " values for shape " + shape.str());
  Tensor t = empty(shape, device);
  copy_bytes(t.raw(), device, values.data(), Device::CPU, t.nbytes());
  return t;
}

Tensor Tensor::from_ints(const Shape& shape, const std::vector<int32_t>& values, Device device) {
  if (static_cast<int64_t>(values.size()) != shape.numel())
    throw std::invalid_argument("Tensor::from_ints: " + std::to_string(values.size()) +
                                " values for shape " + shape.str());
  Tensor t = empty(shape, device, DType::I32);
  copy_bytes(t.raw(), device, values.data(), Device::CPU, t.nbytes());
  return t;
}

float* Tensor::f32() {
  if (dtype_ != DType::F32) throw std::logic_error("Tensor::f32 on an int32 tensor");
  return static_cast<float*>(raw());
}
const float* Tensor::f32() const {
  if (dtype_ != DType::F32) throw std::logic_error("Tensor::f32 on an int32 tensor");
  return static_cast<const float*>(raw());
}
int32_t* Tensor::i32() {
  if (dtype_ != DType::I32) throw std::logic_error("Tensor::i32 on a float tensor");
  return static_cast<int32_t*>(raw());
}
const int32_t* Tensor::i32() const {
  if (dtype_ != DType::I32) throw std::logic_error("Tensor::i32 on a float tensor");
  return static_cast<const int32_t*>(raw());
}

Tensor Tensor::to(Device device) const {
  if (device == device_) return *this;
  Tensor t = empty(shape_, device, dtype_);
  copy_bytes(t.raw(), device, raw(), device_, nbytes());
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_, device_, dtype_);
  copy_bytes(t.raw(), device_, raw(), device_, nbytes());
  return t;
}

Tensor Tensor::reshape(const Shape& shape) const {
  if (shape.numel() != numel())
    throw std::invalid_argument("Tensor::reshape: " + shape_.str() + " to " + shape.str());
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

std::vector<float> Tensor::to_vector() const {
  std::vector<float> v(static_cast<size_t>(numel()));
  copy_bytes(v.data(), Device::CPU, raw(), device_, nbytes());
  return v;
}

std::vector<int32_t> Tensor::to_int_vector() const {
  std::vector<int32_t> v(static_cast<size_t>(numel()));
  copy_bytes(v.data(), Device::CPU, raw(), device_, nbytes());
  return v;
}

float Tensor::item() const {
  if (numel() != 1) throw std::invalid_argument("Tensor::item on shape " + shape_.str());
  return to_vector()[0];
}

void Tensor::zero_() {
  if (device_ == Device::CPU) {
    std::memset(raw(), 0, nbytes());
    return;
  }
#if NFS_WITH_CUDA
  CUDA_CHECK(cudaMemsetAsync(raw(), 0, nbytes(), cuda::stream()));
#endif
}

void Tensor::fill_(float value) {
  if (device_ == Device::CPU) return cpu::fill(f32(), value, numel());
#if NFS_WITH_CUDA
  cuda::fill(f32(), value, numel(), cuda::stream());
#endif
}

void Tensor::clamp_min_(float lo) {
  if (device_ == Device::CPU) return cpu::clamp_min(f32(), lo, numel());
#if NFS_WITH_CUDA
  cuda::clamp_min(f32(), lo, numel(), cuda::stream());
#endif
}

void Tensor::add_(const Tensor& other, float alpha) {
  if (other.shape() != shape_)
    throw std::invalid_argument("Tensor::add_: " + other.shape().str() + " into " + shape_.str());
  check_same_device(*this, other, "Tensor::add_");
  if (device_ == Device::CPU) return cpu::axpy(f32(), alpha, other.f32(), numel());
#if NFS_WITH_CUDA
  cuda::axpy(f32(), alpha, other.f32(), numel(), cuda::stream());
#endif
}

void Tensor::copy_(const Tensor& other) {
  if (other.numel() != numel() || other.dtype() != dtype_)
    throw std::invalid_argument("Tensor::copy_: " + other.shape().str() + " into " + shape_.str());
  copy_bytes(raw(), device_, other.raw(), other.device(), nbytes());
}

void check_shape(const Tensor& t, const Shape& expected, const char* what) {
  if (t.shape() != expected)
    throw std::invalid_argument(std::string(what) + ": expected shape " + expected.str() +
                                ", got " + t.shape().str());
}

void check_same_device(const Tensor& a, const Tensor& b, const char* what) {
  if (a.device() != b.device())
    throw std::invalid_argument(std::string(what) + ": tensors on different devices (" +
                                device_name(a.device()) + " and " + device_name(b.device()) + ")");
}

}  // namespace nfs
