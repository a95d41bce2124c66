// nfs_tools import-ict: the ICT-FaceKit folder layout to the project's model asset.
#include <cstdio>

#include "infer/cli.h"
#include "tools/commands.h"
#include "train/ict_import.h"

namespace nfs {

int cmd_import_ict(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"-o"}, {"--help", "--allow-missing"});
  if (args.has("--help") || args.positional().size() != 1) {
    std::printf(
        "usage: nfs_tools import-ict FACEXMODEL_DIR -o ASSET.safetensors [--allow-missing]\n"
        "  Reads the kit's FaceXModel folder (generic_neutral_mesh.obj, vertex_indices.json, one OBJ per\n"
        "  expression and identity) and writes the face + head/neck region (11,248 vertices, 11,144 quads)\n"
        "  as the model asset training reads. --allow-missing writes the shapes present instead of failing.\n");
    return args.has("--help") ? 0 : 2;
  }
  IctImportOptions opt;
  opt.allow_missing = args.has("--allow-missing");
  const std::string out = args.require("-o");
  IctImportReport r = import_ict_facekit(args.positional()[0], out, opt);
  std::printf("%d expressions, %d identities -> %s", r.expressions, r.identities, out.c_str());
  if (!r.missing.empty()) std::printf(" (%zu shapes missing)", r.missing.size());
  std::printf("\n");
  return 0;
}

}  // namespace nfs
