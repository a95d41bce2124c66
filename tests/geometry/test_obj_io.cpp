// OBJ reading and writing: polygons, UVs, groups and materials survive a round trip with new
// positions; bad files give one-line messages naming the file; a failed write leaves no file.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "geometry/fan_triangulate.h"
#include "geometry/load_mesh.h"
#include "geometry/read_obj.h"
#include "geometry/write_obj.h"
#include "support/temp_dir.h"

using namespace nfs;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

// A cube-ish strip: two quads, a triangle and a pentagon, with UVs on the quads only, two groups,
// two materials, negative (relative) indices and a CRLF line.
const char* kMixedObj =
    "# test\n"
    "mtllib mats.mtl\n"
    "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 2 0 0\nv 2 1 0\nv 3 0.5 0\r\n"
    "v 3 2 0\nv 2.5 2.5 0\nv 1.5 2 0\n"
    "vt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nvt 0.5 0.5\nvt 0.25 0.75\n"
    "vn 0 0 1\n"
    "g left\n"
    "usemtl skin\n"
    "f 1/1/1 2/2/1 3/3/1 4/4/1\n"
    "g right\n"
    "f 2/2 5/5 6/6 3/3\n"
    "usemtl lips\n"
    "f 5 7 -5\n"  // -5 = vertex 6
    "f 3 6 8 9 10\n";

}  // namespace

TEST_CASE("read_obj keeps polygons, UVs, groups and materials", "[geometry][io]") {
  TempDir dir("read");
  const std::string path = dir.write("mixed.obj", kMixedObj);
  geo::PolygonMesh m;
  std::vector<std::string> warnings;
  geo::read_obj(path, m, warnings);
  CHECK(warnings.empty());
  REQUIRE(m.V.rows() == 10);
  CHECK(m.V(6, 0) == 3.0);
  CHECK(m.V(6, 1) == 0.5);
  REQUIRE(m.UV.rows() == 6);
  CHECK(m.UV(5, 1) == 0.75);
  REQUIRE(m.num_polygons() == 4);
  CHECK(m.polygon_size(0) == 4);
  CHECK(m.polygon_size(2) == 3);
  CHECK(m.polygon_size(3) == 5);
  CHECK(std::vector<int>(m.corner_vertex.begin() + 8, m.corner_vertex.begin() + 11) ==
        std::vector<int>{4, 6, 5});
  CHECK(std::vector<int>(m.corner_uv.begin(), m.corner_uv.begin() + 4) ==
        std::vector<int>{0, 1, 2, 3});
  CHECK(m.corner_uv[8] == -1);
  CHECK(m.groups == std::vector<std::string>{"g left", "g right"});
  CHECK(m.poly_group == std::vector<int>{0, 1, 1, 1});
  CHECK(m.materials == std::vector<std::string>{"skin", "lips"});
  CHECK(m.poly_material == std::vector<int>{0, 0, 1, 1});
  CHECK(m.mtllibs == std::vector<std::string>{"mats.mtl"});

  Eigen::MatrixXi F;
  Eigen::VectorXi F_poly;
  geo::fan_triangulate(m, F, F_poly);
  REQUIRE(F.rows() == 2 + 2 + 1 + 3);
  CHECK(F_poly.transpose() == (Eigen::RowVectorXi(8) << 0, 0, 1, 1, 2, 3, 3, 3).finished());
  // Fan from the first corner, orientation kept: pentagon (3 6 8 9 10) → (3,6,8) (3,8,9) (3,9,10).
  CHECK(F.row(5) == Eigen::RowVector3i(2, 5, 7));
  CHECK(F.row(7) == Eigen::RowVector3i(2, 8, 9));
}

TEST_CASE("read_obj number forms: sign, exponent, one-coordinate vt, extra columns",
          "[geometry][io]") {
  TempDir dir("numbers");
  const std::string path = dir.write(
      "n.obj", "v +1.5 -2e-3 3E2 1.0\nv 0 1 0 0.5 0.5 0.5\n\tv 1 0 0\nvt 0.25\nf 1/1 2/1 3/1\n");
  geo::PolygonMesh m;
  std::vector<std::string> warnings;
  geo::read_obj(path, m, warnings);
  REQUIRE(m.V.rows() == 3);
  CHECK(m.V.row(0) == Eigen::RowVector3d(1.5, -2e-3, 300.0));  // w ignored
  CHECK(m.V.row(1) == Eigen::RowVector3d(0, 1, 0));            // vertex colours ignored
  CHECK(m.V.row(2) == Eigen::RowVector3d(1, 0, 0));            // leading tab
  REQUIRE(m.UV.rows() == 1);
  CHECK(m.UV.row(0) == Eigen::RowVector2d(0.25, 0.0));
}

TEST_CASE("write_obj round trip: same polygons and UVs, new positions", "[geometry][io]") {
  TempDir dir("roundtrip");
  const std::string in = dir.write("mixed.obj", kMixedObj);
  geo::PolygonMesh m;
  std::vector<std::string> warnings;
  geo::read_obj(in, m, warnings);
  Eigen::MatrixXd moved = m.V * 2.5;
  moved(3, 2) = 0.1 + 1e-13;  // needs all 17 digits to read back exactly
  const std::string out = (dir.path / "out.obj").string();
  geo::write_obj(out, m, moved);
  geo::PolygonMesh r;
  geo::read_obj(out, r, warnings);
  CHECK(warnings.empty());
  CHECK(r.V == moved);
  CHECK(r.UV == m.UV);
  CHECK(r.poly_start == m.poly_start);
  CHECK(r.corner_vertex == m.corner_vertex);
  CHECK(r.corner_uv == m.corner_uv);
  CHECK(r.groups == m.groups);
  CHECK(r.poly_group == m.poly_group);
  CHECK(r.materials == m.materials);
  CHECK(r.poly_material == m.poly_material);
  CHECK(r.mtllibs == m.mtllibs);
  // Nothing but the output in the folder (the temporary file was renamed).
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) files += e.is_regular_file();
  CHECK(files == 2);
}

TEST_CASE("write_obj failures leave no file behind", "[geometry][io]") {
  TempDir dir("writefail");
  const std::string in = dir.write("mixed.obj", kMixedObj);
  geo::PolygonMesh m;
  std::vector<std::string> warnings;
  geo::read_obj(in, m, warnings);
  const std::string missing_dir = (dir.path / "no_such_dir" / "out.obj").string();
  CHECK_THROWS_WITH(geo::write_obj(missing_dir, m), Catch::Contains(missing_dir));
  Eigen::MatrixXd bad = m.V;
  bad(2, 1) = std::nan("");
  const std::string out = (dir.path / "out.obj").string();
  CHECK_THROWS_WITH(geo::write_obj(out, m, bad), Catch::Contains("non-finite"));
  CHECK_THROWS_WITH(geo::write_obj(out, m, Eigen::MatrixXd::Zero(3, 3)),
                    Catch::Contains("10 vertices"));
  CHECK(!fs::exists(out));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) files += e.is_regular_file();
  CHECK(files == 1);
}

TEST_CASE("bad OBJ inputs give one-line messages naming the file", "[geometry][io]") {
  TempDir dir("bad");
  struct Case {
    const char* file;
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"nan.obj", "v 0 0 0\nv 1 nan 0\nv 0 1 0\nf 1 2 3\n", "line 2: vertex coordinate 'nan'"},
      {"inf.obj", "v 0 0 0\nv 1 1e999 0\nv 0 1 0\nf 1 2 3\n", "not a finite number"},
      {"short.obj", "v 0 0 0\nv 1 0\nv 0 1 0\nf 1 2 3\n", "line 2: vertex line has 2 coordinates"},
      {"range.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n",
       "face 1 refers to vertex 4, but the file has 3 vertices"},
      {"zero.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n", "refers to vertex 0 or before"},
      {"points.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n", "no faces"},
      {"empty.obj", "", "no vertices (not an OBJ mesh)"},
      {"text.obj", "hello, this is not a mesh\n", "no vertices"},
      {"flat.obj", "v 0 0 0\nv 1 0 0\nv 2 0 0\nf 1 2 3\n", "every triangle is degenerate"},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    const std::string path = dir.write(c.file, c.text);
    geo::TriangleMesh mesh;
    try {
      geo::load_mesh(path, mesh);
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      CHECK(msg.rfind(path + ": ", 0) == 0);  // starts with the file
      CHECK(msg.find('\n') == std::string::npos);
      CHECK_THAT(msg, Catch::Contains(c.message));
    }
  }
  const std::string missing = (dir.path / "missing.obj").string();
  geo::TriangleMesh mesh;
  CHECK_THROWS_WITH(geo::load_mesh(missing, mesh),
                    Catch::StartsWith(missing + ": cannot open file"));
}

TEST_CASE("harmless problems are fixed or reported with warnings", "[geometry][io]") {
  TempDir dir("warn");
  // Two quads + a collinear (zero-area) triangle + a triangle repeating a vertex + a two-vertex
  // face + a triangle on the first quad's edge; vertex 7 is in no face, vertex 9 only in the
  // dropped zero-area triangle.
  const std::string path =
      dir.write("warn.obj",
                "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 2 0 0\nv 2 1 0\nv 5 5 5\nv 1 1 1\n"
                "v 0.5 0 0\n"
                "f 1 2 3 4\nf 2 5 6 3\n"
                "f 1 9 2\n"  // zero area (collinear)
                "f 1 1 2\n"  // repeated vertex
                "f 1 2\n"    // too small
                "f 4 3 8\n");
  geo::TriangleMesh mesh;
  geo::load_mesh(path, mesh);
  const auto& r = mesh.report;
  CHECK(r.degenerate_dropped == 2);
  CHECK(r.isolated_vertices == std::vector<int>{6, 8});
  CHECK(mesh.F.rows() == 5);
  CHECK(mesh.F_poly.transpose() == (Eigen::RowVectorXi(5) << 0, 0, 1, 1, 4).finished());
  CHECK(r.components == 1);
  REQUIRE(r.warnings.size() == 3);
  CHECK_THAT(r.warnings[0], Catch::StartsWith(path + ": dropped 1 face(s) with fewer than 3"));
  CHECK_THAT(r.warnings[1], Catch::Contains("dropped 2 degenerate triangle(s)"));
  CHECK_THAT(r.warnings[2], Catch::Contains("2 isolated vertex(es)"));
  CHECK_THAT(r.warnings[2], Catch::Contains("first: vertex 7"));

  // Non-manifold edge and opposite orientations; two components.
  const std::string nm =
      dir.write("nm.obj",
                "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 -1 0\nv 0 0 1\n"
                "v 5 0 0\nv 6 0 0\nv 5 1 0\nv 6 1 0\n"
                "f 1 2 3\nf 1 2 4\nf 1 2 5\n"  // edge 1-2 in three triangles
                "f 6 7 8\nf 7 8 9\n");         // second piece, orientation flipped across 7-8
  geo::load_mesh(nm, mesh);
  CHECK(mesh.report.non_manifold_edges == 1);
  CHECK(mesh.report.misoriented_edges == 1);
  CHECK(mesh.report.components == 2);
  REQUIRE(mesh.report.warnings.size() == 2);
  CHECK_THAT(mesh.report.warnings[0], Catch::Contains("1 non-manifold edge(s)"));
  CHECK_THAT(mesh.report.warnings[0], Catch::Contains("vertices 1-2"));
  CHECK_THAT(mesh.report.warnings[1], Catch::Contains("opposite orientation"));
}
