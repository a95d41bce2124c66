#include "geometry/read_obj.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

// The parser is compiled into libnfs here (header-only mode, double precision), so the library
// carries no shared-library dependency on tinyobjloader. No other file may define this.
#define TINYOBJLOADER_IMPLEMENTATION
#define TINYOBJLOADER_USE_DOUBLE
#include <tiny_obj_loader.h>

namespace nfs::geo {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Vertex and texture coordinates are read here with std::from_chars, not by tinyobjloader: its
// own number parser reads "nan", "inf" or garbage as 0 without a word, and rounds some decimals
// (0.75 came back 1 ulp off), which would change a user's UVs on a round trip.
// Errors carry line numbers. Also collects mtllib lines.
void prescan(const std::string& path, const std::string& text, std::vector<double>& v,
             std::vector<double>& vt, std::vector<std::string>& mtllibs) {
  size_t pos = 0;
  long line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    const char* s = text.c_str() + pos;
    const char* line_end = text.c_str() + end;
    while (s < line_end && (*s == ' ' || *s == '\t')) ++s;
    const bool is_v = line_end - s >= 2 && s[0] == 'v' && (s[1] == ' ' || s[1] == '\t');
    const bool is_vt =
        line_end - s >= 3 && s[0] == 'v' && s[1] == 't' && (s[2] == ' ' || s[2] == '\t');
    if (is_v || is_vt) {
      const int needed = is_v ? 3 : 1;
      const char* what = is_v ? "vertex" : "texture";
      s += is_v ? 2 : 3;
      std::string rest(s, line_end);
      const char* p = rest.c_str();
      std::vector<double>& out = is_v ? v : vt;
      for (int k = 0; k < (is_v ? 3 : 2); ++k) {
        while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
        if (*p == '\0') {
          if (k < needed)
            fail(path, "line " + std::to_string(line_no) + ": " + what + " line has " +
                           std::to_string(k) + " coordinates, expected at least " +
                           std::to_string(needed));
          out.push_back(0.0);  // "vt u" means v = 0
          continue;
        }
        // from_chars: exact and locale-independent (a host application's LC_NUMERIC may use ',').
        const char* tok_end = p + std::strcspn(p, " \t\r");
        double x = 0.0;
        const auto [after, ec] = std::from_chars(p + (*p == '+'), tok_end, x);
        if (ec != std::errc() || after != tok_end || !std::isfinite(x))
          fail(path, "line " + std::to_string(line_no) + ": " + what + " coordinate '" +
                         std::string(p, tok_end) + "' is not a finite number");
        out.push_back(x);
        p = after;
      }
    } else if (line_end - s >= 7 && std::strncmp(s, "mtllib", 6) == 0 &&
               (s[6] == ' ' || s[6] == '\t')) {
      mtllibs.push_back(trim(std::string(s + 7, line_end)));
    }
    pos = end + 1;
  }
}

// What the tinyobjloader callbacks fill while parsing.
struct Builder {
  PolygonMesh* mesh;
  long nv = 0, nt = 0;  // vertices and texture coordinates so far (for negative indices)
  std::vector<int> raw_poly_start{0}, raw_vertex, raw_uv;
  std::vector<int> raw_group, raw_material;
  std::map<std::string, int> group_ids, material_ids;
  int group = -1, material = -1;

  int intern(std::map<std::string, int>& ids, std::vector<std::string>& names,
             const std::string& name) {
    auto it = ids.find(name);
    if (it != ids.end()) return it->second;
    const int id = static_cast<int>(names.size());
    names.push_back(name);
    ids.emplace(name, id);
    return id;
  }
  // OBJ indices are 1-based, or negative counting back from the last element so far; 0 is none.
  static int resolve(int raw, long count) {
    if (raw > 0) return raw - 1;
    if (raw < 0) return static_cast<int>(count + raw);
    return -1;
  }
};

void on_vertex(void* user, double, double, double, double) {
  ++static_cast<Builder*>(user)->nv;
}
void on_texcoord(void* user, double, double, double) {
  ++static_cast<Builder*>(user)->nt;
}
void on_face(void* user, tinyobj::index_t* idx, int n) {
  auto* b = static_cast<Builder*>(user);
  const long nv = b->nv, nt = b->nt;
  for (int i = 0; i < n; ++i) {
    const int vi = Builder::resolve(idx[i].vertex_index, nv);
    b->raw_vertex.push_back(vi);
    b->raw_uv.push_back(idx[i].texcoord_index == 0 ? -1
                                                   : Builder::resolve(idx[i].texcoord_index, nt));
  }
  b->raw_poly_start.push_back(static_cast<int>(b->raw_vertex.size()));
  b->raw_group.push_back(b->group);
  b->raw_material.push_back(b->material);
}
void on_usemtl(void* user, const char* name, int) {
  auto* b = static_cast<Builder*>(user);
  b->material = b->intern(b->material_ids, b->mesh->materials, trim(name));
}
void on_group(void* user, const char** names, int n) {
  auto* b = static_cast<Builder*>(user);
  std::string stmt = "g";
  for (int i = 0; i < n; ++i) stmt += std::string(" ") + names[i];
  b->group = b->intern(b->group_ids, b->mesh->groups, stmt);
}
void on_object(void* user, const char* name) {
  auto* b = static_cast<Builder*>(user);
  b->group = b->intern(b->group_ids, b->mesh->groups, trim(std::string("o ") + name));
}

}  // namespace

void read_obj(const std::string& path, PolygonMesh& mesh, std::vector<std::string>& warnings) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open file (") + std::strerror(errno) + ")");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) fail(path, "read error");
  const std::string text = buf.str();

  mesh = PolygonMesh();
  std::vector<double> v, vt;
  prescan(path, text, v, vt, mesh.mtllibs);
  if (v.empty()) fail(path, "no vertices (not an OBJ mesh)");

  Builder b;
  b.mesh = &mesh;
  tinyobj::callback_t cb;
  cb.vertex_cb = on_vertex;
  cb.texcoord_cb = on_texcoord;
  cb.index_cb = on_face;
  cb.usemtl_cb = on_usemtl;
  cb.group_cb = on_group;
  cb.object_cb = on_object;
  std::istringstream stream(text);
  std::string warn, err;
  if (!tinyobj::LoadObjWithCallback(stream, cb, &b, nullptr, &warn, &err))
    fail(path, "OBJ parse error: " + trim(err));

  const long nv = static_cast<long>(v.size() / 3), nt = static_cast<long>(vt.size() / 2);
  if (b.nv != nv || b.nt != nt)  // both read the same lines; a mismatch means an odd file
    fail(path, "OBJ parse error: vertex lines read inconsistently");
  mesh.V =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>>(v.data(), nv, 3);
  mesh.UV =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor>>(vt.data(), nt, 2);

  // Validate indices, drop polygons with fewer than 3 corners.
  long dropped_small = 0;
  const int num_raw = static_cast<int>(b.raw_poly_start.size()) - 1;
  for (int p = 0; p < num_raw; ++p) {
    const int begin = b.raw_poly_start[p], end = b.raw_poly_start[p + 1];
    for (int c = begin; c < end; ++c) {
      const int vi = b.raw_vertex[c];
      if (vi < 0 || vi >= nv)
        fail(path,
             "face " + std::to_string(p + 1) + " refers to vertex " +
                 (vi < 0 ? std::string("0 or before the first vertex") : std::to_string(vi + 1)) +
                 ", but the file has " + std::to_string(nv) + " vertices");
      const int ti = b.raw_uv[c];
      if (ti >= nt || (ti < 0 && ti != -1))
        fail(path, "face " + std::to_string(p + 1) + " refers to texture coordinate " +
                       std::to_string(ti + 1) + ", but the file has " + std::to_string(nt));
    }
    if (end - begin < 3) {
      ++dropped_small;
      continue;
    }
    for (int c = begin; c < end; ++c) {
      mesh.corner_vertex.push_back(b.raw_vertex[c]);
      mesh.corner_uv.push_back(b.raw_uv[c]);
    }
    mesh.poly_start.push_back(static_cast<int>(mesh.corner_vertex.size()));
    mesh.poly_group.push_back(b.raw_group[p]);
    mesh.poly_material.push_back(b.raw_material[p]);
  }
  if (dropped_small > 0)
    warnings.push_back(path + ": dropped " + std::to_string(dropped_small) +
                       " face(s) with fewer than 3 vertices");
  if (mesh.num_polygons() == 0) fail(path, "no faces (a point cloud or an empty mesh)");
}

}  // namespace nfs::geo
