#include "geometry/write_obj.h"

#include "geometry/atomic_write.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace nfs::geo {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

// Shortest text that reads back as the same double.
void append_number(std::string& out, double x) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  out.append(buf, res.ptr);
}

std::string obj_text(const PolygonMesh& mesh, const Eigen::MatrixXd& V) {
  std::string out;
  out.reserve(static_cast<size_t>(V.rows()) * 40 + mesh.corner_vertex.size() * 12);
  out += "# written by nfs\n";
  for (const std::string& lib : mesh.mtllibs) out += "mtllib " + lib + "\n";
  for (Eigen::Index i = 0; i < V.rows(); ++i) {
    out += "v";
    for (int k = 0; k < 3; ++k) {
      out += ' ';
      append_number(out, V(i, k));
    }
    out += '\n';
  }
  for (Eigen::Index i = 0; i < mesh.UV.rows(); ++i) {
    out += "vt ";
    append_number(out, mesh.UV(i, 0));
    out += ' ';
    append_number(out, mesh.UV(i, 1));
    out += '\n';
  }
  int group = -1, material = -1;
  for (int p = 0; p < mesh.num_polygons(); ++p) {
    const int g = p < static_cast<int>(mesh.poly_group.size()) ? mesh.poly_group[p] : -1;
    const int m = p < static_cast<int>(mesh.poly_material.size()) ? mesh.poly_material[p] : -1;
    if (g != group && g >= 0) out += mesh.groups[g] + "\n";
    if (m != material && m >= 0) out += "usemtl " + mesh.materials[m] + "\n";
    group = g;
    material = m;
    const int begin = mesh.poly_start[p], end = mesh.poly_start[p + 1];
    bool all_uv = !mesh.corner_uv.empty();
    for (int c = begin; c < end && all_uv; ++c) all_uv = mesh.corner_uv[c] >= 0;
    out += 'f';
    for (int c = begin; c < end; ++c) {
      out += ' ';
      out += std::to_string(mesh.corner_vertex[c] + 1);
      if (all_uv) {
        out += '/';
        out += std::to_string(mesh.corner_uv[c] + 1);
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace

void write_obj(const std::string& path, const PolygonMesh& mesh, const Eigen::MatrixXd& V) {
  if (V.rows() != mesh.V.rows() || V.cols() != 3)
    fail(path, "positions are " + std::to_string(V.rows()) + "x" + std::to_string(V.cols()) +
                   ", the mesh has " + std::to_string(mesh.V.rows()) + " vertices (x3)");
  if (!V.allFinite()) fail(path, "refusing to write non-finite vertex positions");
  write_file_atomic(path, obj_text(mesh, V));
}

}  // namespace nfs::geo
