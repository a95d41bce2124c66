// Reads a glTF 2.0 file (.glb or .gltf) back into a GltfMesh (infer/gltf_export.h): used by the
// tests to check what the exporter wrote, and a start for reading source meshes that carry morph
// targets.
#pragma once
#include <string>
#include <vector>

#include "infer/gltf_export.h"

namespace nfs {

// Reads the first primitive of the first mesh (the binary magic, not the extension, decides
// between .glb and .gltf): positions, triangles, normals, TEXCOORD_0, morph targets (names from
// mesh.extras.targetNames, else the primitive's extras.targetNames, else "target_<i>"), default
// weights, and the first animation channel driving the weights of a node that shows this mesh.
// Node transforms are not applied. `notes` (when given) gets one line per thing left out: other
// meshes or primitives, other animation channels. Throws std::runtime_error naming the file for a
// missing or malformed file, a primitive that is not triangles, sparse accessors, accessors of an
// unexpected type or outside their buffer, or an index out of range.
GltfMesh read_gltf(const std::string& path, std::vector<std::string>* notes = nullptr);

}  // namespace nfs
