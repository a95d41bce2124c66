// nfs_infer: retarget, animate, rig and encode face meshes with a trained NFS model.
// Until the inference issue lands, only the help text and the device report exist.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "kernels/cuda_context.h"

namespace {
void print_help() {
  std::printf(
      "nfs_infer: mesh-agnostic facial expression cloning (Neural Face Skinning)\n"
      "\n"
      "usage: nfs_infer <command> [options]\n"
      "\n"
      "commands (in development; see docs/ARCHITECTURE.md):\n"
      "  retarget   --source A.obj [B.obj ...] --target T.obj -o OUT\n"
      "  animate    --weights TAKE.csv --target T.obj -o OUT.glb\n"
      "  rig        --target T.obj -o OUT.glb\n"
      "  encode     --source A.obj [...] -o WEIGHTS.csv\n"
      "  devices    list the compute devices this build can use\n"
      "\n"
      "options:\n"
      "  --help     this text\n");
}
}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
      print_help();
      return argc < 2 ? 1 : 0;
    }
    const std::string cmd = argv[1];
    if (cmd == "devices") {
      std::printf("cpu: available\n");
#if NFS_WITH_CUDA
      std::printf("cuda: %s\n", nfs::cuda_available() ? "available" : "built in, no device found");
#else
      std::printf("cuda: not built in\n");
#endif
      return 0;
    }
    std::fprintf(stderr, "nfs_infer: '%s' is not available yet (see nfs_infer --help)\n",
                 cmd.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nfs_infer: %s\n", e.what());
    return 1;
  }
}
