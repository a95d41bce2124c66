// nfs_tools reference-inputs: one retarget's inputs exactly as the network consumes them (source
// frames and a target in the canonical frame, their renders and spectral operators) and the
// engine's outputs on them, in one safetensors file. bench/reference/nfs_reference.py runs the
// same network in PyTorch on this file and compares output by output, so both engines see the
// same numbers and no geometry code has to exist twice.
#include <cstdio>
#include <string>

#include "infer/engine.h"
#include "nn/safetensors.h"
#include "tools/commands.h"

namespace nfs {

namespace {

// A mesh's network inputs under `prefix`: positions, normals and images [B, 3, H, W] as fed to
// the image encoder, faces, and the operators DiffusionNet consumes (gradient operators as CSR).
void add_mesh(std::map<std::string, Tensor>& out, const std::string& prefix, const FrameBatch& frames,
              const PreparedMesh& mesh) {
  const SpectralOperators& ops = mesh.ops;
  out[prefix + "positions"] = frames.positions;
  out[prefix + "normals"] = frames.normals;
  out[prefix + "images"] = frames.images;
  out[prefix + "faces"] = mesh.faces;
  out[prefix + "mass"] = ops.mass;
  out[prefix + "evals"] = ops.evals;
  out[prefix + "evecs"] = ops.evecs;
  out[prefix + "mass_evecs"] = ops.mass_evecs;
  for (const auto& [name, m] : {std::make_pair("grad_x", &ops.grad_x), std::make_pair("grad_y", &ops.grad_y)}) {
    out[prefix + name + ".indptr"] = m->indptr;
    out[prefix + name + ".indices"] = m->indices;
    out[prefix + name + ".values"] = m->values;
  }
}

}  // namespace

int cmd_reference_inputs(int argc, char** argv) {
  std::set<std::string> flags = {"--model", "--source", "--target", "-o", "--device", "--ict-model"};
  flags.insert(align_flags().begin(), align_flags().end());
  CliArgs args(argc, argv, 2, flags, {"--help"});
  if (args.has("--help")) {
    std::printf(
        "usage: nfs_tools reference-inputs --source A.obj [B.obj ...] --target T.obj -o INPUTS.safetensors\n"
        "       [--model M.safetensors] [--device cpu|cuda|auto] [alignment flags]\n"
        "  Writes what the network consumes for retargeting the source frames onto the target, in the\n"
        "  canonical frame (source.* and target.*: positions, normals, images, faces, mass, evals, evecs,\n"
        "  mass_evecs, grad_x/grad_y as CSR), and the engine's outputs on them in inference mode (c_src,\n"
        "  c_tgt, z_ge, z_id, z_skin, omega, delta). All frames run as one batch. The input of\n"
        "  bench/reference/nfs_reference.py.\n");
    return 0;
  }
  const std::string out = args.require("-o"), target_path = args.require("--target");
  const std::vector<std::string> sources = source_paths_from_args(args);
  const AlignOptions align = align_options_from_args(args);
  EngineOptions options = engine_options_from_args(args);
  if (options.model.empty()) options.model = default_model_path();
  Engine engine(options);
  NfsNetwork& net = engine.network();
  const RasterCamera& camera = net.config.camera;

  std::unique_ptr<Engine::Target> target = engine.prepare_target(target_path, align);
  std::unique_ptr<Engine::Sources> src = engine.load_sources(sources, align);
  std::vector<float> flat;
  for (const std::vector<float>& f : src->frames) flat.insert(flat.end(), f.begin(), f.end());
  const int64_t N = int64_t(src->frames.size());
  FrameBatch s = make_frames(flat, N, src->mesh, camera, engine.device());
  FrameBatch t = make_frames(target->geometry.neutral, 1, target->geometry, camera, engine.device());

  // The engine's outputs along nfs_infer's path: the prepared target, then encode and decode.
  const PreparedTarget& p = target->prepared;
  std::map<std::string, Tensor> tensors;
  {
    NoGradGuard no_grad;
    tensors["c_src"] = net.image_code(Var(s.images)).value();
  }
  {
    NoGradGuard no_grad;  // the inference path, neutral offsets and segment pooling included
    tensors["z_ge"] = encode_source(net, s, src->mesh, 0).value();
  }
  tensors["delta"] = decode_frames(net, p, tensors["z_ge"]);
  tensors["c_tgt"] = p.c;
  tensors["z_id"] = p.z_id;
  if (p.z_skin.defined()) {  // absent in the ablation without skinning encoder
    tensors["z_skin"] = p.z_skin;
    tensors["omega"] = p.omega;
  }
  add_mesh(tensors, "source.", s, src->mesh);
  // The source's neutral (the first frame here): models with neutral offsets read the frames against it.
  tensors["source.neutral"] = Tensor::from_vector({src->topology.num_vertices, 3}, src->mesh.neutral);
  add_mesh(tensors, "target.", t, target->geometry);

  std::string source_list;
  for (const std::string& path : sources) source_list += (source_list.empty() ? "" : "\n") + path;
  const int64_t Vs = src->topology.num_vertices, Vt = target->topology.num_vertices;
  write_safetensors(out, tensors,
                    {{"format", "nfs-reference-inputs"},
                     {"version", "1"},
                     {"model", options.model},
                     {"device", device_name(engine.device())},
                     {"sources", source_list},
                     {"target", target_path},
                     {"frames", std::to_string(N)},
                     {"source_vertices", std::to_string(Vs)},
                     {"target_vertices", std::to_string(Vt)}});
  std::printf("%lld source frames (%lld vertices) onto %s (%lld vertices), model %s -> %s\n", (long long)N,
              (long long)Vs, target_path.c_str(), (long long)Vt, options.model.c_str(), out.c_str());
  return 0;
}

}  // namespace nfs
