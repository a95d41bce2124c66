// Subcommands of nfs_tools, one file each (tools/cmd_<name>.cpp). Each parses its own arguments
// (argv[2...]) and returns the exit code; errors are thrown and reported by main.
#pragma once

namespace nfs {
int cmd_segment(int argc, char** argv);
int cmd_import_ict(int argc, char** argv);
int cmd_render(int argc, char** argv);
int cmd_operators(int argc, char** argv);
int cmd_remesh(int argc, char** argv);
int cmd_ict_shape(int argc, char** argv);
int cmd_demo_data(int argc, char** argv);
int cmd_decoder_probe(int argc, char** argv);
int cmd_encoder_probe(int argc, char** argv);
int cmd_rig_probe(int argc, char** argv);
int cmd_init_model(int argc, char** argv);
int cmd_reference_inputs(int argc, char** argv);
int cmd_plot_logs(int argc, char** argv);
}  // namespace nfs
