// Labels and heat colours of the result pictures (contact sheets, evaluation strips).
#include <catch2/catch.hpp>

#include "geometry/plot.h"
#include "geometry/render.h"

using namespace nfs;

TEST_CASE("draw_text writes the label's pixels inside the image only", "[geometry][pictures]") {
  Tensor image = Tensor::zeros({3, 40, 60});
  const float white[3] = {1.0f, 1.0f, 1.0f};
  draw_text(image, 5, 10, "Hi", white, 2);
  std::vector<float> px = image.to_vector();
  int lit = 0, outside_box = 0;
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 60; ++x)
      if (px[y * 60 + x] > 0.5f) {
        ++lit;
        // stb_easy_font glyphs are about 5 × 7 font pixels plus spacing; scale 2 doubles them.
        if (x < 5 || y < 10 || x >= 5 + 2 * 2 * 6 || y >= 10 + 2 * 9) ++outside_box;
      }
  CHECK(lit > 20);
  CHECK(outside_box == 0);
  for (int c = 1; c < 3; ++c)  // every channel gets the colour
    for (int i = 0; i < 40 * 60; ++i) REQUIRE(px[c * 40 * 60 + i] == px[i]);
  // Text running past the border is clipped, not an error.
  draw_text(image, 50, 35, "overflowing label", white, 3);
  Tensor gray = Tensor::zeros({1, 8, 8});
  CHECK_THROWS(draw_text(gray, 0, 0, "x", white, 1));
}

TEST_CASE("heat_colors ramps from dark to bright and clamps", "[geometry][pictures]") {
  std::vector<float> c = heat_colors({0.0f, 0.5f, 1.0f, 2.0f, -1.0f}, 1.0f);
  REQUIRE(c.size() == 15);
  auto luminance = [&](int i) { return 0.2126f * c[i * 3] + 0.7152f * c[i * 3 + 1] + 0.0722f * c[i * 3 + 2]; };
  CHECK(luminance(0) < luminance(1));
  CHECK(luminance(1) < luminance(2));
  for (int k = 0; k < 3; ++k) {
    CHECK(c[3 * 3 + k] == Approx(c[2 * 3 + k]));  // above the maximum: the top colour
    CHECK(c[4 * 3 + k] == Approx(c[0 * 3 + k]));  // below 0: the bottom colour
  }
  std::vector<float> zero = heat_colors({1.0f}, 0.0f);  // no motion at all: the bottom colour
  for (int k = 0; k < 3; ++k) CHECK(zero[k] == Approx(c[k]));
}
