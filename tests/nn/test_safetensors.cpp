#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "nn/safetensors.h"
#include "support/temp_dir.h"

using namespace nfs;

namespace {

// A hand-built file: header text as given, then `data_bytes` zero bytes.
std::string make_file(const std::string& header, size_t data_bytes) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = char((n >> (8 * i)) & 0xff);
  return out + header + std::string(data_bytes, '\0');
}

std::string error_of(const std::string& bytes) {
  try {
    parse_safetensors(bytes, "bad.safetensors");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("safetensors round trip with metadata", "[safetensors]") {
  std::map<std::string, Tensor> t{
      {"a.weight", Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6})},
      {"b", Tensor::from_ints({4}, {-1, 0, 7, 1 << 30})},
      {"empty", Tensor::zeros({0, 3})}};
  test::TempDir dir("safetensors_roundtrip");
  const std::string path = dir.file("roundtrip.safetensors");
  write_safetensors(path, t, {{"config", "{\"width\": 128}"}});
  SafetensorsFile f = read_safetensors(path);
  CHECK(f.metadata.at("config") == "{\"width\": 128}");
  CHECK(f.at("a.weight").shape() == Shape{2, 3});
  CHECK(f.at("a.weight").to_vector() == t["a.weight"].to_vector());
  CHECK(f.at("b").dtype() == DType::I32);
  CHECK(f.at("b").to_int_vector() == std::vector<int32_t>{-1, 0, 7, 1 << 30});
  CHECK(f.at("empty").numel() == 0);
  CHECK_THROWS_WITH(f.at("nope"), path + ": missing tensor 'nope'");
  std::remove(path.c_str());
}

TEST_CASE("reads the shared ICT model asset", "[safetensors]") {
  SafetensorsFile f = read_safetensors(NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors");
  CHECK(f.at("neutral").shape() == Shape{11248, 3});
  CHECK(f.at("quads").dtype() == DType::I32);
  CHECK(f.at("expression_deltas").shape() == Shape{53, 11248, 3});
  CHECK(f.metadata.count("expression_names") == 1);
}

TEST_CASE("malformed safetensors files give one clear error each", "[safetensors]") {
  const std::string ok_header = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  CHECK(error_of(make_file(ok_header, 8)) == "no error");

  SECTION("truncated before the header length") {
    CHECK_THAT(error_of("abc"), Catch::Contains("bad.safetensors: truncated"));
  }
  SECTION("header length past the end") {
    std::string f = make_file(ok_header, 8);
    f[0] = char(0xff);
    f[1] = char(0xff);
    CHECK_THAT(error_of(f), Catch::Contains("runs past the end of the file"));
  }
  SECTION("truncated data: offsets past the end") {
    std::string f = make_file(ok_header, 8);
    f.resize(f.size() - 4);
    CHECK_THAT(error_of(f), Catch::Contains("run past the end of the data"));
  }
  SECTION("non-JSON header") {
    CHECK_THAT(error_of(make_file("{not json", 0)), Catch::Contains("not valid JSON"));
    CHECK_THAT(error_of(make_file("[1,2]", 0)), Catch::Contains("not a JSON object"));
  }
  SECTION("unsupported dtype") {
    CHECK_THAT(error_of(make_file(R"({"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4)),
               Catch::Contains("tensor 'x': unsupported dtype F16"));
  }
  SECTION("size disagrees with shape and dtype") {
    CHECK_THAT(error_of(make_file(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)),
               Catch::Contains("needs 12"));
  }
  SECTION("overlapping tensors") {
    const std::string h =
        R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
    CHECK_THAT(error_of(make_file(h, 16)), Catch::Contains("overlap"));
  }
  SECTION("bad shapes, offsets and metadata") {
    CHECK_THAT(error_of(make_file(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", 0)),
               Catch::Contains("negative"));
    CHECK_THAT(error_of(make_file(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4)),
               Catch::Contains("reversed"));
    CHECK_THAT(error_of(make_file(R"({"x":{"dtype":"F32","shape":[1]}})", 4)),
               Catch::Contains("needs dtype, shape and data_offsets"));
    CHECK_THAT(error_of(make_file(R"({"__metadata__":{"k":3}})", 0)), Catch::Contains("not a string"));
    CHECK_THAT(error_of(make_file(R"({"x":{"dtype":"F32","shape":[1,1,1,1,1],"data_offsets":[0,4]}})", 4)),
               Catch::Contains("more than 4"));
  }
}

TEST_CASE("a missing file and an unwritable path are reported with the path", "[safetensors]") {
  CHECK_THROWS_WITH(read_safetensors("/nonexistent/x.safetensors"),
                    Catch::Contains("/nonexistent/x.safetensors: cannot open"));
  CHECK_THROWS_WITH(write_safetensors("/nonexistent/dir/y.safetensors", {}),
                    Catch::Contains("/nonexistent/dir/y.safetensors: cannot create"));
}
