// What a rig is made of and what a take's frame rate is: the ICT rig's 53 one-hot rows, the
// ARKit rig's 51 with split pairs driving both halves; polygons from memory get the same checks
// as a file's; Live Link Face timecodes give their row rate.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "geometry/load_mesh.h"
#include "geometry/mesh_arrays.h"
#include "infer/rig_shapes.h"
#include "infer/weights_csv.h"

using namespace nfs;

TEST_CASE("rig shapes: ICT one-hot rows, ARKit rows gathering split pairs", "[infer][rig]") {
  const RigShapes ict = rig_shapes(WeightsNaming::Ict);
  REQUIRE(ict.num_shapes() == 53);
  REQUIRE(ict.weights.size() == 54u * 53u);
  for (int e = 0; e < 53; ++e) CHECK(ict.weights[e] == 0.0f);  // row 0: the neutral
  for (int k = 0; k < 53; ++k) {
    CHECK(ict.names[k] == ict_expression_names()[k]);
    for (int e = 0; e < 53; ++e)
      CHECK(ict.weights[size_t(k + 1) * 53 + e] == (e == k ? 1.0f : 0.0f));
  }
  const RigShapes arkit = rig_shapes(WeightsNaming::Arkit);
  REQUIRE(arkit.num_shapes() == 51);
  int total = 0;
  for (int k = 0; k < 51; ++k) {
    const std::vector<int> idx = ict_indices_for_name(arkit.names[k]);
    float sum = 0.0f;
    for (int e = 0; e < 53; ++e) sum += arkit.weights[size_t(k + 1) * 53 + e];
    CHECK(sum == float(idx.size()));
    for (int i : idx) CHECK(arkit.weights[size_t(k + 1) * 53 + i] == 1.0f);
    total += int(idx.size());
  }
  CHECK(total == 53);  // every ICT expression in exactly one ARKit shape
  CHECK(parse_naming("arkit", "x") == WeightsNaming::Arkit);
  CHECK_THROWS_WITH(parse_naming("maya", "--naming"), "--naming: 'maya' (expected ict or arkit)");
}

TEST_CASE("polygons from memory: fan-triangulated and checked like a file's", "[infer][rig]") {
  Eigen::MatrixXd V(5, 3);
  V << 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 2, 0.5, 0;
  geo::TriangleMesh m;
  m.poly = polygon_mesh(V, {0, 4, 7}, {0, 1, 2, 3, 1, 4, 2});  // a quad and a triangle
  geo::triangulate_and_check("arrays", m);
  CHECK(m.F.rows() == 3);
  CHECK(m.F_poly(0) == 0);
  CHECK(m.F_poly(2) == 1);
  geo::TriangleMesh bad;
  bad.poly = polygon_mesh(V, {0, 3, 5}, {0, 1, 2, 3, 4});
  CHECK_THROWS_WITH(geo::triangulate_and_check("arrays", bad),
                    "arrays: polygon 1 has 2 corners (at least 3)");
  geo::TriangleMesh out_of_range;
  out_of_range.poly = polygon_mesh(V, {0, 3}, {0, 1, 9});
  CHECK_THROWS_AS(geo::triangulate_and_check("arrays", out_of_range), std::runtime_error);
  CHECK_THROWS_AS(polygon_mesh(V, {0, 4}, {0, 1, 2}), std::invalid_argument);
  CHECK_THROWS_AS(polygon_mesh(V, {0, 3, 2, 4}, {0, 1, 2, 3}), std::invalid_argument);
}

TEST_CASE("a Live Link Face take's frame rate from its timecodes", "[infer][csv]") {
  // Rows at 60 per second whose timecode frames count at 30 with a .5 subframe.
  auto take = [](int rows_per_second, int rows, int first_row) {
    std::vector<std::string> t;
    for (int i = first_row; i < first_row + rows; ++i) {
      const int s = i / rows_per_second, r = i % rows_per_second;
      char b[40];
      std::snprintf(b, sizeof(b), "14:41:%02d:%02d.%03d", s, r * 30 / rows_per_second,
                    (r * 1000 * 30 / rows_per_second) % 1000);
      t.push_back(b);
    }
    return t;
  };
  CHECK(frame_rate_from_timecodes(take(60, 250, 17)).value() == 60.0);
  CHECK(frame_rate_from_timecodes(take(30, 100, 3)).value() == 30.0);
  CHECK(frame_rate_from_timecodes(take(25, 60, 0)).value() == 25.0);
  CHECK_FALSE(frame_rate_from_timecodes(take(60, 90, 10)).has_value());  // no whole second inside
  CHECK_FALSE(frame_rate_from_timecodes({}).has_value());
  CHECK_FALSE(frame_rate_from_timecodes({"14:41:51:05.4", "garbage", "14:41:53:00"}).has_value());
}
