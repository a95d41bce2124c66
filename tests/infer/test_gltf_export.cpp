// glTF export: a 53-target rig and a frame sequence written as .glb / .gltf and read back with
// tinygltf (counts, names, positions, animation length); UV seams split vertices correctly.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "infer/blendshape_names.h"
#include "infer/gltf_export.h"
#include "infer/gltf_read.h"
#include "infer/tinygltf.h"
#include "support/temp_dir.h"

using namespace nfs;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

// An n x n grid of vertices in the z = 0 plane, two triangles per cell.
void grid(int n, std::vector<float>& V, Eigen::MatrixXi& F) {
  V.clear();
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) V.insert(V.end(), {float(x), float(y), 0.0f});
  F.resize(2 * (n - 1) * (n - 1), 3);
  int t = 0;
  for (int y = 0; y + 1 < n; ++y)
    for (int x = 0; x + 1 < n; ++x) {
      const int a = y * n + x, b = a + 1, c = a + n, d = c + 1;
      F.row(t++) << a, b, d;
      F.row(t++) << a, d, c;
    }
}

// A unit cube: 8 vertices, 6 outward quads, each face with its own 4 UVs (24 UVs in all).
geo::PolygonMesh cube_with_face_uvs() {
  geo::PolygonMesh m;
  m.V.resize(8, 3);
  for (int i = 0; i < 8; ++i) m.V.row(i) << (i & 1), (i >> 1) & 1, (i >> 2) & 1;
  const int quads[6][4] = {{0, 2, 3, 1}, {4, 5, 7, 6}, {0, 1, 5, 4},
                           {2, 6, 7, 3}, {0, 4, 6, 2}, {1, 3, 7, 5}};
  m.UV.resize(24, 2);
  for (int f = 0; f < 6; ++f) {
    const double corner[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
    for (int c = 0; c < 4; ++c) {
      m.UV.row(4 * f + c) << (f + corner[c][0]) / 6.0, 0.25 + 0.5 * corner[c][1];
      m.corner_vertex.push_back(quads[f][c]);
      m.corner_uv.push_back(4 * f + c);
    }
    m.poly_start.push_back(int(m.corner_vertex.size()));
  }
  return m;
}

std::vector<float> slice(const std::vector<float>& v, size_t begin, size_t count) {
  return std::vector<float>(v.begin() + begin, v.begin() + begin + count);
}

}  // namespace

TEST_CASE("glTF rig: 53 named morph targets survive a .glb round trip", "[infer][gltf]") {
  std::vector<float> neutral;
  Eigen::MatrixXi F;
  grid(5, neutral, F);
  const int V = 25, T = kNumIctExpressions;
  std::vector<float> deltas(size_t(T) * V * 3);
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < V; ++v)
      for (int c = 0; c < 3; ++c)
        deltas[(size_t(t) * V + v) * 3 + c] = 0.01f * (t + 1) * std::sin(float(v + c));
  const std::vector<std::string> names(ict_expression_names().begin(),
                                       ict_expression_names().end());
  const GltfVertexLayout layout = gltf_vertex_layout(V, F);
  const GltfMesh rig = gltf_blendshape_rig(layout, neutral, deltas, names, /*with_normals=*/true);

  TempDir dir("gltf_rig");
  for (const char* file : {"rig.glb", "rig.gltf"}) {
    INFO(file);
    const std::string path = dir.file(file);
    write_gltf(path, rig);
    CHECK_FALSE(fs::exists(path + ".tmp"));
    const GltfMesh back = read_gltf(path);
    CHECK(back.num_vertices() == V);
    REQUIRE(back.num_targets() == T);
    CHECK(back.target_names() == names);
    CHECK(back.positions == neutral);  // glTF vertex i is mesh vertex i without UVs
    CHECK(back.triangles == layout.triangles);
    CHECK(back.targets[kNumIctExpressions - 1].position_deltas ==
          slice(deltas, size_t(T - 1) * V * 3, V * 3));
    CHECK(back.targets[10].position_deltas == slice(deltas, size_t(10) * V * 3, V * 3));
    CHECK(back.normals.size() == size_t(V) * 3);
    CHECK(back.normals[2] == Approx(1.0f));  // the grid faces +z
    CHECK(back.targets[10].normal_deltas.size() == size_t(V) * 3);
    CHECK(back.default_weights == std::vector<float>(T, 0.0f));
    CHECK_FALSE(back.has_animation);
  }

  // What other tools read: mesh.extras.targetNames, mesh.weights, min/max on POSITION accessors.
  tinygltf::TinyGLTF loader;
  tinygltf::Model model;
  std::string err, warn;
  REQUIRE(loader.LoadBinaryFromFile(&model, &err, &warn, dir.file("rig.glb")));
  REQUIRE(model.meshes.size() == 1);
  const tinygltf::Mesh& mesh = model.meshes[0];
  const tinygltf::Value& target_names = mesh.extras.Get("targetNames");
  REQUIRE(target_names.IsArray());
  REQUIRE(target_names.ArrayLen() == size_t(T));
  CHECK(target_names.Get(0).Get<std::string>() == "browDown_L");
  CHECK(target_names.Get(52).Get<std::string>() == "noseSneer_R");
  CHECK(mesh.weights.size() == size_t(T));
  const tinygltf::Primitive& prim = mesh.primitives[0];
  CHECK(prim.targets.size() == size_t(T));
  const tinygltf::Accessor& pos = model.accessors[prim.attributes.at("POSITION")];
  CHECK(pos.minValues == std::vector<double>{0, 0, 0});
  CHECK(pos.maxValues == std::vector<double>{4, 4, 0});
  CHECK(model.accessors[prim.targets[0].at("POSITION")].minValues.size() == 3);
  CHECK(model.accessors[prim.indices].componentType == TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT);
}

TEST_CASE("glTF sequence: one target per frame, one-hot LINEAR animation of (frames-1)/fps",
          "[infer][gltf]") {
  const geo::PolygonMesh cube = cube_with_face_uvs();
  const GltfVertexLayout layout = gltf_vertex_layout(cube);
  std::vector<float> neutral;
  for (int i = 0; i < 8; ++i)
    for (int c = 0; c < 3; ++c) neutral.push_back(float(cube.V(i, c)));
  const int frames = 5;
  const double fps = 24;
  std::vector<float> seq;
  for (int k = 0; k < frames; ++k)
    for (int i = 0; i < 8; ++i)
      for (int c = 0; c < 3; ++c) seq.push_back(neutral[i * 3 + c] * (1.0f + 0.1f * k) + 0.01f * c);

  const GltfMesh m = gltf_sequence_as_targets(layout, neutral, seq, frames, fps, true);
  TempDir dir("gltf_seq");
  const std::string path = dir.file("take.glb");
  write_gltf(path, m);
  const GltfMesh back = read_gltf(path);

  CHECK(back.num_vertices() == 24);
  REQUIRE(back.num_targets() == frames);
  CHECK(back.targets[3].name == "frame_00003");
  REQUIRE(back.has_animation);
  CHECK(back.animation.times.size() == size_t(frames));
  CHECK(back.animation.length() == Approx((frames - 1) / fps));
  CHECK(back.animation.times[1] == Approx(1 / fps));
  for (int k = 0; k < frames; ++k)
    for (int t = 0; t < frames; ++t)
      CHECK(back.animation.weights[k * frames + t] == (k == t ? 1.0f : 0.0f));
  CHECK(back.default_weights[0] == 1.0f);
  CHECK(back.default_weights[1] == 0.0f);
  // Target k at full weight gives frame k, at every glTF vertex (copies of a seam vertex too).
  for (int k = 0; k < frames; ++k)
    for (int g = 0; g < 24; ++g)
      for (int c = 0; c < 3; ++c) {
        const int v = layout.mesh_vertex[g];
        CHECK(back.positions[g * 3 + c] + back.targets[k].position_deltas[g * 3 + c] ==
              Approx(seq[(size_t(k) * 8 + v) * 3 + c]));
      }
  // Normals come from the mesh's topology: the three copies of a cube corner share one normal,
  // pointing out of the corner (no component zero, as a face normal would have).
  for (int g = 0; g < 24; ++g) {
    const int v = layout.mesh_vertex[g];
    for (int c = 0; c < 3; ++c) {
      CHECK(back.normals[g * 3 + c] == back.normals[v * 3 + c]);
      const double sign = cube.V(v, c) > 0.5 ? 1.0 : -1.0;
      CHECK(back.normals[g * 3 + c] * sign > 0.3);
    }
  }
  CHECK(back.uvs == layout.uv);
}

TEST_CASE("glTF rig with animated weights (a CSV take on a rig)", "[infer][gltf]") {
  std::vector<float> neutral;
  Eigen::MatrixXi F;
  grid(3, neutral, F);
  const GltfVertexLayout layout = gltf_vertex_layout(9, F);
  std::vector<float> deltas(2 * 9 * 3, 0.5f);
  GltfMesh m = gltf_blendshape_rig(layout, neutral, deltas, {"jawOpen", "eyeBlink_L"}, false);
  const int frames = 31;
  std::vector<float> w(frames * 2);
  for (int k = 0; k < frames; ++k) w[k * 2] = w[k * 2 + 1] = float(k) / (frames - 1);
  set_weight_animation(m, w, frames, 30.0);
  TempDir dir("gltf_anim");
  write_gltf(dir.file("anim.gltf"), m);
  const GltfMesh back = read_gltf(dir.file("anim.gltf"));
  REQUIRE(back.has_animation);
  CHECK(back.animation.length() == Approx(1.0));
  CHECK(back.animation.weights == w);
  CHECK(back.normals.empty());
  CHECK(back.targets[0].normal_deltas.empty());
}

TEST_CASE("glTF layout splits vertices on UV seams only", "[infer][gltf]") {
  SECTION("cube with a UV island per face: every corner is split three ways") {
    const geo::PolygonMesh cube = cube_with_face_uvs();
    const GltfVertexLayout L = gltf_vertex_layout(cube);
    REQUIRE(L.num_triangles() == 12);
    CHECK(L.num_vertices() == 24);
    for (int v = 0; v < 8; ++v) CHECK(L.mesh_vertex[v] == v);  // mesh vertices keep their numbers
    std::vector<int> copies(8, 0);
    for (int g = 0; g < 24; ++g) copies[L.mesh_vertex[g]]++;
    CHECK(copies == std::vector<int>(8, 3));
    // Every triangle corner: the glTF vertex copies the right mesh vertex and has the corner's UV,
    // flipped to glTF's convention. Triangles of quad f are (c0, c1, c2), (c0, c2, c3).
    for (int t = 0; t < 12; ++t) {
      const int f = t / 2;
      const int corners[2][3] = {{0, 1, 2}, {0, 2, 3}};
      for (int k = 0; k < 3; ++k) {
        const int corner = 4 * f + corners[t % 2][k];
        const uint32_t g = L.triangles[t * 3 + k];
        CHECK(L.mesh_vertex[g] == cube.corner_vertex[corner]);
        CHECK(L.mesh_triangles(t, k) == cube.corner_vertex[corner]);
        CHECK(L.uv[g * 2] == float(cube.UV(corner, 0)));
        CHECK(L.uv[g * 2 + 1] == float(1.0 - cube.UV(corner, 1)));
      }
    }
  }
  SECTION("shared or equal UVs do not split; corners without UV count as (0, 0)") {
    // Two triangles of a quad 0-1-2-3: corner UVs by index, with UV 4 equal to UV 2 in value.
    Eigen::MatrixXi F(2, 3), F_uv(2, 3);
    F << 0, 1, 2, 0, 2, 3;
    F_uv << 0, 1, 2, 0, 4, 3;
    Eigen::MatrixXd UV(5, 2);
    UV << 0, 0, 1, 0, 1, 1, 0, 1, 1, 1;
    GltfVertexLayout L = gltf_vertex_layout(5, F, UV, F_uv);  // vertex 4 is in no triangle
    CHECK(L.num_vertices() == 5);
    CHECK(L.triangles == std::vector<uint32_t>{0, 1, 2, 0, 2, 3});
    CHECK(L.uv == std::vector<float>{0, 1, 1, 1, 1, 0, 0, 0, 0, 1});
    // Now vertex 2 really has two UVs, and vertex 3 none in one triangle.
    F_uv << 0, 1, 2, 0, 3, -1;
    L = gltf_vertex_layout(5, F, UV, F_uv);
    CHECK(L.num_vertices() == 6);
    CHECK(L.mesh_vertex[5] == 2);
    CHECK(L.triangles == std::vector<uint32_t>{0, 1, 2, 0, 5, 3});
    CHECK(L.uv[5 * 2] == 0.0f);
    CHECK(L.uv[5 * 2 + 1] == 0.0f);  // UV (0, 1) flipped
    CHECK(L.uv[3 * 2 + 1] == 1.0f);  // no UV: (0, 0) flipped
    // Gathering per-vertex data follows the map.
    const std::vector<float> id = {0, 10, 20, 30, 40};
    CHECK(L.gather(id, 1) == std::vector<float>{0, 10, 20, 30, 40, 20});
    F_uv(0, 0) = 7;
    CHECK_THROWS_AS(gltf_vertex_layout(5, F, UV, F_uv), std::invalid_argument);
  }
}

TEST_CASE("glTF export refuses inconsistent meshes and leaves no file", "[infer][gltf]") {
  std::vector<float> neutral;
  Eigen::MatrixXi F;
  grid(2, neutral, F);
  GltfMesh m = gltf_base_mesh(gltf_vertex_layout(4, F), neutral, false);
  TempDir dir("gltf_bad");
  CHECK_THROWS_AS(write_gltf(dir.file("mesh.obj"), m), std::invalid_argument);
  GltfMesh bad = m;
  bad.triangles[0] = 9;
  CHECK_THROWS_AS(write_gltf(dir.file("a.glb"), bad), std::invalid_argument);
  bad = m;
  bad.positions[1] = NAN;
  CHECK_THROWS_AS(write_gltf(dir.file("b.glb"), bad), std::invalid_argument);
  bad = m;
  bad.targets.push_back({"t", std::vector<float>(6, 0.0f), {}});
  CHECK_THROWS_AS(write_gltf(dir.file("c.glb"), bad), std::invalid_argument);
  CHECK(fs::is_empty(dir.path));
  const std::string missing = dir.file("missing.glb");
  try {
    read_gltf(missing);
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find(missing) == 0);
  }
}
