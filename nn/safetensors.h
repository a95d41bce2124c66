// safetensors read and write (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON ({name: {dtype, shape, data_offsets}, "__metadata__": {..}}),
// then the raw little-endian data. Supported dtypes: F32 and I32.
//
// Reading validates everything before touching data, so a truncated or lying file is an error
// message naming the file and the problem, never a crash or an out-of-bounds read: file shorter
// than 8 bytes, header length past the end of the file, header not JSON or not an object, unknown
// dtype, bad shape, offsets past the end of the data, a size that disagrees with the shape,
// overlapping tensors, non-string metadata.
// Writing goes to a temporary file in the same folder, then renames it over the target, so a
// crash never leaves a partial file behind.
#pragma once
#include <map>
#include <string>

#include "geometry/atomic_write.h"  // write_file_atomic, used by every writer
#include "nn/tensor.h"

namespace nfs {

struct SafetensorsFile {
  std::map<std::string, Tensor> tensors;  // CPU tensors
  std::map<std::string, std::string> metadata;

  // The named tensor; throws "<file>: missing tensor 'name'" when absent.
  const Tensor& at(const std::string& name) const;
  std::string path;  // where it was read from, for messages
};

// Throws std::runtime_error("<path>: <problem>") on any malformed input.
SafetensorsFile read_safetensors(const std::string& path);
// Parses an in-memory file; `label` names it in error messages.
SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& label);

// Tensors may live on either device (copied to the host for writing).
void write_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});
std::string serialize_safetensors(const std::map<std::string, Tensor>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});


}  // namespace nfs
