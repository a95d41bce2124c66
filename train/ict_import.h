// Importer of the ICT-FaceKit's own folder layout (FaceXModel/): one OBJ per shape
// (generic_neutral_mesh.obj, the 53 expressions named in vertex_indices.json, identity000.obj
// ... identity099.obj) into the project's model asset (train/ict_model.h), keeping the face +
// head/neck region: vertices [0, 11248) and polygons [0, 11144).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nfs {

struct IctImportOptions {
  int64_t region_vertices = 11248;
  int64_t region_polygons = 11144;
  // Write whatever shapes are present (the kit's sample folder has only a few) instead of
  // failing on the first missing one.
  bool allow_missing = false;
};

struct IctImportReport {
  int expressions = 0, identities = 0;
  std::vector<std::string> missing;  // shapes not found (allow_missing only)
};

// Reads `folder`, writes the asset to `out` (atomically). Throws "<file>: <problem>".
IctImportReport import_ict_facekit(const std::string& folder, const std::string& out,
                                   const IctImportOptions& options);

}  // namespace nfs
