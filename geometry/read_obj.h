// Reads a Wavefront OBJ file (tinyobjloader's parser) into a PolygonMesh, keeping polygons of any
// size, texture coordinates, groups and materials in file order. Normals (vn) are not kept: the
// engine recomputes them from positions.
#pragma once
#include <string>
#include <vector>

#include "geometry/polygon_mesh.h"

namespace nfs::geo {

// @param[in]  path      OBJ file to read
// @param[out] mesh      positions, polygons (0-based indices), UVs, groups, materials
// @param[out] warnings  appended: one line per harmless problem, each naming the file
//                       (polygons with fewer than 3 corners dropped, ignored line elements)
// Throws std::runtime_error with one line naming the file and the problem when the file is
// missing or unreadable, holds no vertices ("not an OBJ mesh"), a vertex or texture coordinate
// that is not a finite number, a face index out of range, or no faces.
void read_obj(const std::string& path, PolygonMesh& mesh, std::vector<std::string>& warnings);

}  // namespace nfs::geo
