// nfs_infer: retarget, animate, rig and encode face meshes with a trained NFS model.
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>

#include "geometry/image_io.h"
#include "geometry/mesh_arrays.h"
#include "geometry/render.h"
#include "geometry/write_obj.h"
#include "infer/blendshape_names.h"
#include "infer/engine.h"
#include "infer/gltf_export.h"
#include "infer/gltf_layout.h"
#include "infer/pictures.h"
#include "infer/rig_shapes.h"
#include "infer/weights_csv.h"
#include "kernels/cuda_context.h"

using namespace nfs;
namespace fs = std::filesystem;

namespace {

const char* kCommon =
    "  --model M.safetensors   the checkpoint (default: models/nfs_default.safetensors)\n"
    "  --device cpu|cuda|auto  where the network runs (default auto)\n"
    "  --set NAME=VALUE        set one FACS weight on every frame (ICT or ARKit name)\n"
    "  --smooth                One-Euro filter over the codes of a sequence (--fps gives the rate)\n"
    "  --fps F                 frames per second of a sequence (default 30; animate: a Live Link Face\n"
    "                          take's own rate, read from its timecodes)\n"
    "  --align auto|bbox|none  --up AXIS --forward AXIS --scale S --offset X,Y,Z: how the target\n"
    "                          (and sources) are brought into the canonical frame (SPEC §5)\n"
    "  --preview PNG           the aligned target over the ICT neutral, to check the alignment\n";

void print_help(const char* cmd) {
  const std::string c = cmd ? cmd : "";
  if (c == "retarget") {
    std::printf("usage: nfs_infer retarget --source A.obj [B.obj ...] --target T.obj -o OUT [options]\n"
                "  Clones the expression of each source frame onto the neutral target. OUT ending in .glb or\n"
                "  .gltf: one file with the frames as an animation; otherwise a folder with one OBJ per frame\n"
                "  (the target's polygons and UVs, named after the sources). --strip PNG: source | result.\n"
                "  --source-neutral N.obj   the source's neutral face (default: the first source frame)\n%s", kCommon);
  } else if (c == "animate") {
    std::printf("usage: nfs_infer animate --weights TAKE.csv --target T.obj -o OUT.glb|OUT_DIR [options]\n"
                "  Animates the target from FACS weights (ICT, ARKit or Live Link Face column names).\n"
                "  --sheet PNG: up to 16 evenly spaced result frames as a labelled contact sheet.\n%s", kCommon);
  } else if (c == "rig") {
    std::printf("usage: nfs_infer rig --target T.obj -o OUT.glb [--format glb|obj] [--naming ict|arkit] [options]\n"
                "  The target's 53 FACS blendshapes as glTF morph targets (names in mesh.extras.targetNames),\n"
                "  or with --format obj one OBJ per shape in the folder OUT. --naming arkit: ARKit's 51 shapes\n"
                "  (browInnerUp and cheekPuff move both sides; ICT has no tongueOut).\n"
                "  --sheet PNG: the neutral and the 53 shapes as a labelled contact sheet, coloured by how far\n"
                "  each vertex moves (yellow: that shape's largest motion, so a blink shows as clearly as jawOpen).\n%s", kCommon);
  } else if (c == "encode") {
    std::printf("usage: nfs_infer encode --source A.obj [B.obj ...] -o WEIGHTS.csv [--naming ict|arkit] [options]\n"
                "  Inverse rigging: the 53 FACS weights of each source frame.\n"
                "  --plot PNG: the weights over the frames (the 8 shapes with the largest peak).\n"
                "  --source-neutral N.obj   the source's neutral face (default: the first source frame)\n%s", kCommon);
  } else {
    std::printf(
        "nfs_infer: mesh-agnostic facial expression cloning (Neural Face Skinning)\n\n"
        "usage: nfs_infer <command> [options]   (nfs_infer <command> --help for each)\n\n"
        "  retarget   --source A.obj [B.obj ...] --target T.obj -o OUT\n"
        "  animate    --weights TAKE.csv --target T.obj -o OUT.glb\n"
        "  rig        --target T.obj -o OUT.glb\n"
        "  encode     --source A.obj [...] -o WEIGHTS.csv\n"
        "  devices    the compute devices this build can use\n");
  }
}

bool is_gltf(const std::string& p) {
  std::string e = fs::path(p).extension().string();
  for (char& ch : e) ch = char(std::tolower(ch));
  return e == ".glb" || e == ".gltf";
}

// Applies --set edits to codes [N, D] (first 53 dims are the weights).
void apply_edits(const CliArgs& args, std::vector<float>& codes, int64_t N, int64_t D) {
  for (const std::string& s : args.all("--set")) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("--set: expected NAME=VALUE, got '" + s + "'");
    const std::vector<int> idx = ict_indices_for_name(s.substr(0, eq));
    if (idx.empty()) throw std::invalid_argument("--set: '" + s.substr(0, eq) + "' is not a FACS blendshape name");
    const float v = float(parse_double(s.substr(eq + 1), "--set"));
    for (int64_t f = 0; f < N; ++f)
      for (int i : idx) codes[f * D + i] = v;
  }
}

// The source frames' codes; the source's neutral is --source-neutral or the first frame.
Tensor source_codes(const CliArgs& args, Engine& engine, const std::vector<std::string>& sources,
                    const AlignOptions& align) {
  return engine.encode(sources, align, args.get("--source-neutral"));
}

Tensor edited(const CliArgs& args, const Tensor& codes) {
  const int64_t N = codes.size(0), D = codes.size(1);
  std::vector<float> z = codes.to_vector();
  if (args.has("--smooth")) z = one_euro_filter(z, int(N), int(D), args.get_double("--fps", 30.0));
  apply_edits(args, z, N, D);
  return Tensor::from_vector({N, D}, z);
}

// Writes frames (user frame, target topology) as a GLB sequence or an OBJ folder. An OBJ folder
// is filled through a temporary folder, so a failure leaves no partial output.
void write_frames(const std::string& out, const Engine::Target& target, const std::vector<std::vector<float>>& frames,
                  const std::vector<std::string>& names, double fps) {
  const geo::PolygonMesh& poly = target.mesh.mesh.poly;
  if (is_gltf(out)) {
    GltfVertexLayout layout = gltf_vertex_layout(poly);
    std::vector<float> neutral(static_cast<size_t>(poly.V.rows() * 3)), flat;
    for (int64_t i = 0; i < poly.V.rows(); ++i)
      for (int k = 0; k < 3; ++k) neutral[i * 3 + k] = float(poly.V(i, k));
    for (const auto& f : frames) flat.insert(flat.end(), f.begin(), f.end());
    write_gltf(out, gltf_sequence_as_targets(layout, neutral, flat, int(frames.size()), fps, true));
    return;
  }
  const fs::path dir(out), tmp = fs::path(out + ".partial");
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  try {
    for (size_t i = 0; i < frames.size(); ++i) {
      Eigen::MatrixXd V(poly.V.rows(), 3);
      for (int64_t v = 0; v < V.rows(); ++v)
        for (int k = 0; k < 3; ++k) V(v, k) = frames[i][v * 3 + k];
      geo::write_obj((tmp / (names[i] + ".obj")).string(), poly, V);
    }
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(tmp)) fs::rename(e.path(), dir / e.path().filename());
    fs::remove_all(tmp);
  } catch (...) {
    fs::remove_all(tmp);
    throw;
  }
}

std::set<std::string> options_with(std::set<std::string> extra) {
  std::set<std::string> s = {"--model", "--device", "--set", "--fps", "--preview", "-o", "--target", "--ict-model"};
  s.insert(extra.begin(), extra.end());
  s.insert(align_flags().begin(), align_flags().end());
  return s;
}

int run(const std::string& cmd, int argc, char** argv) {
  if (cmd == "devices") {
    std::printf("cpu: available\n");
#if NFS_WITH_CUDA
    std::printf("cuda: %s\n", cuda_available() ? "available" : "built in, no device found");
#else
    std::printf("cuda: not built in\n");
#endif
    return 0;
  }
  CliArgs args(argc, argv, 2, options_with({"--source", "--source-neutral", "--weights", "--format", "--naming", "--strip", "--sheet", "--plot"}),
               {"--help", "--smooth"});
  if (args.has("--help")) {
    print_help(cmd.c_str());
    return 0;
  }
  const AlignOptions align = align_options_from_args(args);
  if (cmd == "encode") {
    const std::string out = args.require("-o");
    Engine engine(engine_options_from_args(args));
    std::vector<std::string> sources = source_paths_from_args(args);
    Tensor z = edited(args, source_codes(args, engine, sources, align));
    const int64_t N = z.size(0);
    const std::vector<float> w = engine.weights_from_codes(z);
    const WeightsNaming naming = parse_naming(args.get("--naming", "ict"), "--naming");
    write_weights_csv(out, w, int(N), naming);
    if (args.has("--plot")) {
      // The CSV's own columns: in ARKit naming a split pair is one curve (the mean), as written.
      const std::vector<ArkitColumn> columns = weight_columns(naming);
      std::vector<std::string> names;
      for (const ArkitColumn& c : columns) names.push_back(c.name);
      write_weights_plot(args.get("--plot"), weights_in_columns(w, int(N), columns), int(N), names);
    }
    std::printf("%lld frames -> %s\n", (long long)N, out.c_str());
    return 0;
  }
  if (cmd != "retarget" && cmd != "animate" && cmd != "rig")
    throw std::invalid_argument("unknown command '" + cmd + "' (see nfs_infer --help)");
  const std::string out = args.require("-o"), target_path = args.require("--target");
  Engine engine(engine_options_from_args(args));
  std::unique_ptr<Engine::Target> target = engine.prepare_target(target_path, align);
  for (const std::string& w : target->mesh.mesh.report.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (args.has("--preview")) write_alignment_preview(args.get("--preview"), target->mesh, engine.ict());
  const double fps = args.get_double("--fps", 30.0);

  if (cmd == "retarget") {
    std::vector<std::string> sources = source_paths_from_args(args);
    Tensor z = edited(args, source_codes(args, engine, sources, align));
    std::vector<std::vector<float>> frames = engine.decode(*target, z);
    // One name per frame: the file's, numbered when a glTF source holds several frames.
    std::vector<std::string> names;
    std::vector<Eigen::MatrixXd> source_positions;
    for (const std::string& s : sources) {
      std::vector<Eigen::MatrixXd> f = source_frames(s);
      for (size_t k = 0; k < f.size(); ++k) {
        names.push_back(fs::path(s).stem().string() + (f.size() > 1 ? "_" + std::to_string(k) : ""));
        source_positions.push_back(f[k]);
      }
    }
    write_frames(out, *target, frames, names, fps);
    if (args.has("--strip"))
      write_strip(args.get("--strip"), engine, sources, source_positions, align, *target, frames);
    std::printf("%zu frames retargeted onto %s -> %s\n", frames.size(), target_path.c_str(), out.c_str());
    return 0;
  }
  if (cmd == "animate") {
    WeightsTable take = read_weights_csv(args.require("--weights"));
    for (const std::string& n : take.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
    Tensor z = edited(args, engine.codes_from_weights(take.weights, take.num_frames));
    std::vector<std::vector<float>> frames = engine.decode(*target, z);
    std::vector<std::string> names;
    for (int f = 0; f < take.num_frames; ++f) {
      char b[32];
      std::snprintf(b, sizeof(b), "frame_%05d", f);
      names.push_back(b);
    }
    // A Live Link Face take's own row rate, unless --fps says otherwise.
    const double take_fps = args.has("--fps") ? fps : frame_rate_from_timecodes(take.timecodes).value_or(fps);
    write_frames(out, *target, frames, names, take_fps);
    if (args.has("--sheet")) write_frames_sheet(args.get("--sheet"), *target, frames, names, 4, 16, 192);
    std::printf("%d frames animated on %s -> %s\n", take.num_frames, target_path.c_str(), out.c_str());
    return 0;
  }
  // rig: decode the neutral code and each shape's code; shape k = decoded(k) - decoded(neutral).
  const RigShapes rig = rig_shapes(parse_naming(args.get("--naming", "ict"), "--naming"));
  const int S = rig.num_shapes();
  Tensor z = edited(args, engine.codes_from_weights(rig.weights, S + 1));
  std::vector<std::vector<float>> decoded = engine.decode(*target, z);
  const geo::PolygonMesh& poly = target->mesh.mesh.poly;
  const std::vector<std::string>& names = rig.names;
  if (args.get("--format", is_gltf(out) ? "glb" : "obj") == "obj") {
    std::vector<std::vector<float>> shapes(decoded.begin() + 1, decoded.end());
    write_frames(out, *target, shapes, names, fps);
  } else {
    write_gltf(out, gltf_blendshape_rig(gltf_vertex_layout(poly), decoded[0], rig_deltas(decoded), names, true));
  }
  if (args.has("--sheet")) {
    std::vector<std::string> labels = {"neutral"};
    labels.insert(labels.end(), names.begin(), names.end());
    write_frames_sheet(args.get("--sheet"), *target, decoded, labels, 9, S + 1, 192, 0, true);
  }
  std::printf("%d blendshapes of %s -> %s\n", S, target_path.c_str(), out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    print_help(nullptr);
    return argc < 2 ? 2 : 0;
  }
  try {
    return run(argv[1], argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nfs_infer %s: %s\n", argv[1], e.what());
    return 1;
  }
}
