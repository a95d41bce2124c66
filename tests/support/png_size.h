// Width and height of a PNG file from its IHDR chunk, for tests of the pictures the tools write.
#pragma once
#include <fstream>
#include <string>
#include <utility>

namespace nfs::test {

// {0, 0} when the file is missing or not a PNG.
inline std::pair<int, int> png_size(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  unsigned char h[24] = {};
  f.read(reinterpret_cast<char*>(h), 24);
  if (!f || h[1] != 'P' || h[2] != 'N' || h[3] != 'G' || h[12] != 'I' || h[15] != 'R') return {0, 0};
  auto be = [&](int o) { return int(h[o]) << 24 | int(h[o + 1]) << 16 | int(h[o + 2]) << 8 | int(h[o + 3]); };
  return {be(16), be(20)};
}

}  // namespace nfs::test
