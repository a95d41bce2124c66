// nfs_tools: the engine's utilities (segmentation, rendering, operators, re-meshing, import).
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "tools/commands.h"

namespace {
struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};
const Command kCommands[] = {
    {"import-ict", nfs::cmd_import_ict, "the ICT-FaceKit FaceXModel folder to the model asset"},
    {"decoder-probe", nfs::cmd_decoder_probe,
     "how fast the decoder alone learns codes, with and without skinning"},
    {"encoder-probe", nfs::cmd_encoder_probe,
     "whether a trained expression encoder's code holds the weights (ridge probe)"},
    {"rig-probe", nfs::cmd_rig_probe,
     "a trained rig's error per shape on trained and new identities and topologies"},
    {"demo-data", nfs::cmd_demo_data,
     "the bundled demo: a non-ICT target, a source sequence and its take"},
    {"plot-logs", nfs::cmd_plot_logs,
     "learning curves of several runs' log.csv side by side, as PNG"},
    {"ict-shape", nfs::cmd_ict_shape,
     "an OBJ of the ICT model at given identity / expression weights"},
    {"operators", nfs::cmd_operators,
     "a mesh's Laplacian, eigenbasis and gradient operators (canonical units)"},
    {"remesh", nfs::cmd_remesh,
     "a new mesh of about N vertices on the same surface, with a barycentric map"},
    {"render", nfs::cmd_render, "the front view the network sees, as PNG"},
    {"segment", nfs::cmd_segment, "data-driven face segments of the ICT model, with a picture"},
    {"init-model", nfs::cmd_init_model,
     "a checkpoint with initial (untrained) parameters, for timing"},
    {"reference-inputs", nfs::cmd_reference_inputs,
     "a retarget's network inputs and outputs, for the PyTorch reference"},
};

void print_help() {
  std::printf("nfs_tools: utilities of the NFS engine\n\nusage: nfs_tools <command> [options]  (--help per command)\n\n");
  for (const Command& c : kCommands) std::printf("  %-17s %s\n", c.name, c.summary);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      return c.run(argc, argv);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "nfs_tools %s: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "nfs_tools: unknown command '%s' (see nfs_tools --help)\n", argv[1]);
  return 2;
}
