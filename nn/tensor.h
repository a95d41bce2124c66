// Tensor: a contiguous row-major float32 (or int32) array of up to 4 dimensions on the CPU or a
// CUDA device. Copying a Tensor shares its storage (like a shared pointer); clone() copies data.
// Storage is a move-only Buffer: device memory comes from the caching allocator, host memory is
// 64-byte aligned. Nothing here copies between host and device implicitly: use to().
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/shape.h"

namespace nfs {

enum class Device : uint8_t { CPU = 0, CUDA = 1 };
enum class DType : uint8_t { F32 = 0, I32 = 1 };

const char* device_name(Device d);
// Parses "cpu", "cuda" or "auto" (CUDA when available); throws on anything else.
Device parse_device(const std::string& name);
inline size_t dtype_size(DType) { return 4; }

// Owns one allocation. Move-only, to prevent performance accidents.
class Buffer {
 public:
  Buffer(size_t bytes, Device device);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void* data() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
  Device device_;
};

class Tensor {
 public:
  Tensor() = default;  // undefined tensor: defined() is false
  static Tensor empty(const Shape& shape, Device device = Device::CPU, DType dtype = DType::F32);
  static Tensor zeros(const Shape& shape, Device device = Device::CPU, DType dtype = DType::F32);
  static Tensor full(const Shape& shape, float value, Device device = Device::CPU);
  // Copies host data (numel floats / ints) into a new tensor on `device`.
  static Tensor from_vector(const Shape& shape, const std::vector<float>& values,
                            Device device = Device::CPU);
  static Tensor from_ints(const Shape& shape, const std::vector<int32_t>& values,
                          Device device = Device::CPU);

  bool defined() const { return buf_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int ndim() const { return shape_.ndim; }
  int64_t size(int axis) const { return shape_[axis]; }
  int64_t numel() const { return shape_.numel(); }
  Device device() const { return device_; }
  DType dtype() const { return dtype_; }
  bool is_cuda() const { return device_ == Device::CUDA; }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }

  float* f32();
  const float* f32() const;
  int32_t* i32();
  const int32_t* i32() const;
  void* raw() const { return buf_ ? buf_->data() : nullptr; }
  // True when no other Tensor shares this storage (safe to update in place).
  bool unique() const { return buf_ && buf_.use_count() == 1; }

  // A tensor on `device` with the same contents (this same tensor when already there).
  Tensor to(Device device) const;
  Tensor clone() const;
  // Same storage, new shape of the same element count.
  Tensor reshape(const Shape& shape) const;
  // Host copy of the contents (from either device).
  std::vector<float> to_vector() const;
  std::vector<int32_t> to_int_vector() const;
  float item() const;  // the single value of a one-element tensor

  void zero_();
  void fill_(float value);
  void clamp_min_(float lo);  // x = max(x, lo) elementwise
  // this += alpha * other (same shape, same device).
  void add_(const Tensor& other, float alpha = 1.0f);
  // Copies other's contents into this tensor (same element count; devices may differ).
  void copy_(const Tensor& other);

 private:
  std::shared_ptr<Buffer> buf_;
  Shape shape_;
  DType dtype_ = DType::F32;
  Device device_ = Device::CPU;
};

// Throws std::invalid_argument naming `what` unless the tensor has the expected rank / shape.
void check_shape(const Tensor& t, const Shape& expected, const char* what);
void check_same_device(const Tensor& a, const Tensor& b, const char* what);

}  // namespace nfs
