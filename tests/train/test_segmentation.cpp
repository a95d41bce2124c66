#include <catch2/catch.hpp>
#include <set>

#include "nn/safetensors.h"
#include "train/segmentation.h"

using namespace nfs;

namespace {
struct IctModel {
  std::vector<float> neutral, deltas;
  std::vector<int32_t> quads, sizes;
};
const IctModel& ict() {
  static IctModel m = [] {
    SafetensorsFile f = read_safetensors(NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors");
    IctModel m;
    m.neutral = f.at("neutral").to_vector();
    m.deltas = f.at("expression_deltas").to_vector();
    m.quads = f.at("quads").to_int_vector();
    m.sizes.assign(m.quads.size() / 4, 4);
    return m;
  }();
  return m;
}
}  // namespace

TEST_CASE("segmentation covers every vertex with L labels, deterministically and symmetrically", "[segments]") {
  const IctModel& m = ict();
  const int64_t V = int64_t(m.neutral.size() / 3);
  for (int L : {6, 20}) {
    SegmentationOptions opt;
    opt.segments = L;
    std::vector<int32_t> a = segment_face(m.neutral, m.deltas, 53, m.quads, m.sizes, opt);
    std::vector<int32_t> b = segment_face(m.neutral, m.deltas, 53, m.quads, m.sizes, opt);
    CHECK(a == b);
    REQUIRE(int64_t(a.size()) == V);
    std::vector<int64_t> count(L, 0);
    for (int32_t l : a) {
      REQUIRE(l >= 0);
      REQUIRE(l < L);
      ++count[l];
    }
    for (int l = 0; l < L; ++l) {
      INFO("L = " << L << ", label " << l);
      CHECK(count[l] > 0);
    }
    // Left/right twins are about the same size (the ICT head is symmetric).
    for (int l = 2; l < L; l += 2) {
      INFO("L = " << L << ", pair " << l);
      CHECK(std::abs(count[l] - count[l + 1]) <= 0.1 * std::max(count[l], count[l + 1]) + 5);
    }
    // The eyelids move with eyeBlink_L, the mouth corner with mouthSmile_L: different segments.
    // Vertex of largest eyeBlink_L / mouthSmile_L motion:
    auto argmax_motion = [&](int shape) {
      int64_t best = 0;
      float bd = -1.0f;
      for (int64_t i = 0; i < V; ++i) {
        const float* d = &m.deltas[(shape * V + i) * 3];
        const float n = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        if (n > bd) {
          bd = n;
          best = i;
        }
      }
      return best;
    };
    CHECK(a[argmax_motion(10)] != a[argmax_motion(45)]);  // eyeBlink_L vs mouthSmile_L
    CHECK(a[argmax_motion(10)] % 2 == 0);                  // left-side label
    CHECK(a[argmax_motion(11)] == a[argmax_motion(10)] + 1);  // eyeBlink_R: its right twin
  }
  SegmentationOptions bad;
  bad.segments = 7;
  CHECK_THROWS_WITH(segment_face(m.neutral, m.deltas, 53, m.quads, m.sizes, bad), Catch::Contains("even"));
}
