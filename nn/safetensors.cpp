#include "nn/safetensors.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace nfs {

namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& label, const std::string& problem) {
  throw std::runtime_error(label + ": " + problem);
}

uint64_t read_u64_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Headers of real checkpoints are a few KB; anything this large is a corrupt length field.
constexpr uint64_t kMaxHeaderBytes = uint64_t(100) << 20;

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

}  // namespace

const Tensor& SafetensorsFile::at(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) fail(path, "missing tensor '" + name + "'");
  return it->second;
}

SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& label) {
  const uint64_t size = bytes.size();
  if (size < 8) fail(label, "truncated safetensors file (" + std::to_string(size) + " bytes, no header length)");
  const uint64_t header_len = read_u64_le(reinterpret_cast<const unsigned char*>(bytes.data()));
  if (header_len > size - 8)
    fail(label, "header length " + std::to_string(header_len) + " runs past the end of the file (" +
                    std::to_string(size) + " bytes): truncated or not a safetensors file");
  if (header_len > kMaxHeaderBytes) fail(label, "header length " + std::to_string(header_len) + " is implausibly large");
  const uint64_t data_size = size - 8 - header_len;

  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len));
  } catch (const json::exception& e) {
    fail(label, std::string("header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) fail(label, "header is not a JSON object");

  SafetensorsFile out;
  out.path = label;
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail(label, "__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail(label, "__metadata__ value '" + m.key() + "' is not a string");
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "': ";
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      fail(label, where + "entry needs dtype, shape and data_offsets");
    if (!v["dtype"].is_string()) fail(label, where + "dtype is not a string");
    const std::string dt = v["dtype"].get<std::string>();
    Entry e;
    e.name = name;
    if (dt == "F32") e.dtype = DType::F32;
    else if (dt == "I32") e.dtype = DType::I32;
    else fail(label, where + "unsupported dtype " + dt + " (F32 and I32 are supported)");

    const json& shp = v["shape"];
    if (!shp.is_array()) fail(label, where + "shape is not an array");
    if (shp.size() > Shape::kMaxDims) fail(label, where + "more than 4 dimensions");
    uint64_t numel = 1;
    for (const json& d : shp) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) fail(label, where + "shape holds a non-integer or negative size");
      const uint64_t n = d.get<uint64_t>();
      if (n != 0 && numel > std::numeric_limits<uint64_t>::max() / 4 / n) fail(label, where + "shape overflows");
      numel *= n;
      e.shape.d[e.shape.ndim++] = static_cast<int64_t>(n);
    }
    const json& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      fail(label, where + "data_offsets must be two non-negative integers");
    e.begin = off[0].get<uint64_t>();
    e.end = off[1].get<uint64_t>();
    if (e.begin > e.end) fail(label, where + "data_offsets are reversed");
    if (e.end > data_size)
      fail(label, where + "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                      ") run past the end of the data (" + std::to_string(data_size) + " bytes): truncated file?");
    if (e.end - e.begin != numel * dtype_size(e.dtype))
      fail(label, where + "holds " + std::to_string(e.end - e.begin) + " bytes but shape " + e.shape.str() +
                      " of " + dt + " needs " + std::to_string(numel * dtype_size(e.dtype)));
    entries.push_back(e);
  }

  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) { return a->begin < b->begin; });
  const Entry* furthest = nullptr;  // the tensor reaching furthest so far, in offset order
  for (const Entry* e : by_offset) {
    if (e->end == e->begin) continue;  // empty tensors occupy nothing
    if (furthest && e->begin < furthest->end)
      fail(label, "tensors '" + furthest->name + "' and '" + e->name + "' overlap");
    if (!furthest || e->end > furthest->end) furthest = e;
  }

  const char* data = bytes.data() + 8 + header_len;
  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape, Device::CPU, e.dtype);
    if (e.end > e.begin) std::memcpy(t.raw(), data + e.begin, e.end - e.begin);
    out.tensors[e.name] = t;
  }
  return out;
}

SafetensorsFile read_safetensors(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open file (missing or unreadable)");
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) fail(path, "read error");
  return parse_safetensors(ss.str(), path);
}

std::string serialize_safetensors(const std::map<std::string, Tensor>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__") throw std::invalid_argument("safetensors: reserved tensor name __metadata__");
    json shape = json::array();
    for (int i = 0; i < t.ndim(); ++i) shape.push_back(t.size(i));
    header[name] = {{"dtype", t.dtype() == DType::F32 ? "F32" : "I32"},
                    {"shape", shape},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');  // align the data section to 8 bytes
  std::string out(8, '\0');
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += h;
  out.reserve(out.size() + offset);
  for (const auto& [name, t] : tensors) {
    Tensor host = t.to(Device::CPU);
    out.append(static_cast<const char*>(host.raw()), host.nbytes());
  }
  return out;
}

void write_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, serialize_safetensors(tensors, metadata));
}

}  // namespace nfs
