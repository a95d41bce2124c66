// nfs_tools init-model: a freshly initialized checkpoint, so the paper-size network (or its
// ablation) can be timed and compared with the PyTorch reference (nfs_bench --model,
// bench/reference/) without training it first. Speed does not depend on the weights.
#include <cstdio>
#include <string>

#include "infer/cli.h"
#include "nn/checkpoint.h"
#include "tools/commands.h"
#include "train/train_config.h"

namespace nfs {

int cmd_init_model(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"-o", "--preset", "--config", "--seed"}, {"--help", "--no-skinning"});
  if (args.has("--help")) {
    std::printf(
        "usage: nfs_tools init-model -o M.safetensors [--preset paper|cpu-small] [--config MODEL.json]\n"
        "                            [--no-skinning] [--seed S]\n"
        "  A checkpoint of the preset's network (paper: the default configuration) with its initial,\n"
        "  untrained parameters; --no-skinning gives the ablation without skinning encoder. --config\n"
        "  reads the network's configuration instead (the \"model\" object of a train_config.json).\n");
    return 0;
  }
  const std::string out = args.require("-o"), preset = args.get("--preset", "paper");
  NfsConfig config;
  if (preset == "cpu-small") config = cpu_small_config().model;
  else if (preset != "paper") throw std::invalid_argument("--preset: unknown preset '" + preset + "'");
  if (args.has("--config")) config = NfsConfig::from_json(read_text_file(args.get("--config")), args.get("--config"));
  config.skinning = !args.has("--no-skinning");
  config.exp_segment_pool = config.exp_segment_pool && config.skinning;  // its segments are the skinning encoder's
  config.seed = uint64_t(args.get_int("--seed", 0));
  NfsNetwork net(config);
  save_checkpoint(out, net, {{"note", "initial parameters (nfs_tools init-model), not trained"}});
  std::printf("%s network, %s, seed %llu -> %s\n", preset.c_str(),
              config.skinning ? "with skinning" : "without skinning encoder", (unsigned long long)config.seed,
              out.c_str());
  return 0;
}

}  // namespace nfs
