#include <catch2/catch.hpp>
#include <cmath>

#include "geometry/canonical.h"
#include "geometry/image_io.h"
#include "geometry/render.h"
#include "nn/safetensors.h"
#include "support/gpu.h"
#include "support/temp_dir.h"

using namespace nfs;

namespace {

// fov 90° (f = 1) and the camera at distance 1: a point (x, y, 0) lands on pixel column
// (x + 1) / 2 · W and row (1 - y) / 2 · H, so x, y ∈ [-1, 1] spans the image exactly.
RasterCamera unit_camera(int size) {
  RasterCamera c;
  c.distance = 1.0f;
  c.fov_y = 3.14159265358979f / 2.0f;
  c.width = c.height = size;
  c.albedo = 0.5f;
  return c;
}

struct Rendered {
  std::vector<float> image;
  std::vector<int32_t> ids;
};

Rendered render(const std::vector<float>& positions, const std::vector<int32_t>& faces,
                const RasterCamera& cam, Device dev = Device::CPU) {
  Tensor P = Tensor::from_vector({int64_t(positions.size() / 3), 3}, positions, dev);
  Tensor F = Tensor::from_ints({int64_t(faces.size() / 3), 3}, faces, dev);
  Tensor ids;
  Tensor img = render_front(P, F, cam, &ids);
  return {img.to_vector(), ids.to_int_vector()};
}

// The ICT neutral, face and head region, in the canonical frame, with its quads split in two.
void canonical_ict(std::vector<float>& P, std::vector<int32_t>& F, const char* shape = nullptr) {
  SafetensorsFile f = read_safetensors(NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors");
  std::vector<float> neutral = f.at("neutral").to_vector();
  P = neutral;
  if (shape) {  // add one expression shape at weight 1
    std::vector<float> d = f.at("expression_deltas").to_vector();
    // Expression order is the kit's: look the name up in the metadata's JSON list.
    const std::string names = f.metadata.at("expression_names");
    int k = 0, found = -1;
    for (size_t pos = 0; (pos = names.find('"', pos)) != std::string::npos; ++k) {
      size_t end = names.find('"', pos + 1);
      if (names.substr(pos + 1, end - pos - 1) == shape) found = k;
      pos = end + 1;
    }
    REQUIRE(found >= 0);
    for (size_t i = 0; i < P.size(); ++i) P[i] += d[found * neutral.size() + i];
  }
  ict_to_canonical(P.data(), P.data(), int64_t(P.size() / 3), ict_canonical_offset(neutral.data()));
  std::vector<int32_t> q = f.at("quads").to_int_vector();
  F.clear();
  for (size_t i = 0; i < q.size(); i += 4) {
    F.insert(F.end(), {q[i], q[i + 1], q[i + 2]});
    F.insert(F.end(), {q[i], q[i + 2], q[i + 3]});
  }
}

}  // namespace

TEST_CASE("a single triangle covers exactly the pixels whose centres it contains", "[render]") {
  // World triangle (-1,-1), (1,-1), (-1,1) at z = 0 facing +Z: on an 8×8 image its pixel-space
  // corners are (0,8), (8,8), (0,0), so pixel (i, j) is covered iff i <= j (diagonal included).
  RasterCamera cam = unit_camera(8);
  Rendered r = render({-1, -1, 0, 1, -1, 0, -1, 1, 0}, {0, 1, 2}, cam);
  // Lambert: normal +Z, light from the centroid (-1/3, -1/3, 0) to the camera (0, 0, 1).
  const float lit = 0.5f * 3.0f / std::sqrt(11.0f);
  int covered = 0;
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 8; ++i) {
      const bool inside = i <= j;
      INFO("pixel " << i << "," << j);
      CHECK(r.ids[j * 8 + i] == (inside ? 0 : -1));
      for (int c = 0; c < 3; ++c) CHECK(r.image[c * 64 + j * 8 + i] == Approx(inside ? lit : 0.0f));
      covered += inside;
    }
  CHECK(covered == 36);
}

TEST_CASE("the nearer of two overlapping triangles wins, whatever the order", "[render]") {
  RasterCamera cam = unit_camera(16);
  // Two copies of a centred triangle, one at z = 0 and a nearer one at z = 0.3.
  std::vector<float> far{-0.5f, -0.5f, 0, 0.5f, -0.5f, 0, 0, 0.5f, 0};
  std::vector<float> near{-0.5f, -0.5f, 0.3f, 0.5f, -0.5f, 0.3f, 0, 0.5f, 0.3f};
  std::vector<float> both = far;
  both.insert(both.end(), near.begin(), near.end());
  Rendered a = render(both, {0, 1, 2, 3, 4, 5}, cam);
  Rendered b = render(both, {3, 4, 5, 0, 1, 2}, cam);
  const int centre = 8 * 16 + 8;
  CHECK(a.ids[centre] == 1);  // triangle (3,4,5) in the first list
  CHECK(b.ids[centre] == 0);  // the same triangle, listed first
  // Closer to the camera means larger on screen: the near one covers strictly more pixels.
  int near_count = 0, far_visible = 0;
  for (int32_t id : a.ids) {
    near_count += id == 1;
    far_visible += id == 0;
  }
  CHECK(near_count > 0);
  CHECK(far_visible == 0);
}

TEST_CASE("a back-facing triangle is not drawn", "[render]") {
  RasterCamera cam = unit_camera(8);
  Rendered r = render({-1, -1, 0, -1, 1, 0, 1, -1, 0}, {0, 1, 2}, cam);  // clockwise on screen
  for (int32_t id : r.ids) CHECK(id == -1);
  for (float v : r.image) CHECK(v == 0.0f);
}

TEST_CASE("the canonical camera frames the ICT face region at 85% of the image height", "[render]") {
  std::vector<float> P;
  std::vector<int32_t> F;
  canonical_ict(P, F);
  CHECK(vertical_fill(canonical_camera(), P.data(), kIctFaceRegionEnd) == Approx(0.85f).margin(0.005f));
  // The rendered face is centred: the face region's rows span about 85% of the picture.
  Rendered r = render(P, F, canonical_camera());
  int top = 256, bottom = -1;
  for (int j = 0; j < 256; ++j)
    for (int i = 0; i < 256; ++i)
      if (r.ids[j * 256 + i] >= 0) {
        top = std::min(top, j);
        bottom = std::max(bottom, j);
      }
  CHECK(top < 30);
  CHECK(bottom > 226);
  test::TempDir dir("render");
  write_png(dir.file("render_ict_neutral.png"), Tensor::from_vector({3, 256, 256}, r.image));
}

TEST_CASE("CPU and CUDA renders agree except on edge pixels", "[render][gpu]") {
  NFS_REQUIRE_GPU();
  std::vector<float> P;
  std::vector<int32_t> F;
  canonical_ict(P, F, "jawOpen");
  Rendered c = render(P, F, canonical_camera(), Device::CPU);
  Rendered g = render(P, F, canonical_camera(), Device::CUDA);
  int differ = 0, lit = 0;
  for (size_t i = 0; i < c.ids.size(); ++i) {
    lit += c.ids[i] >= 0;
    if (c.ids[i] != g.ids[i]) {
      ++differ;
      continue;
    }
    CHECK(c.image[i] == Approx(g.image[i]).margin(1e-5));
  }
  std::printf("cuda-parity render: %d of %d covered pixels pick another triangle\n", differ, lit);
  CHECK(differ <= lit / 100);  // only ties and edge pixels may differ
}
