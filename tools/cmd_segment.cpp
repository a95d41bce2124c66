// nfs_tools segment: the data-driven face segmentation of SPEC §6, with a picture.
#include <cstdio>
#include <string>

#include "geometry/image_io.h"
#include "geometry/render.h"
#include "infer/cli.h"
#include "nn/safetensors.h"
#include "tools/commands.h"
#include "train/ict_model.h"
#include "train/segmentation.h"

namespace nfs {

int cmd_segment(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"--segments", "-o", "--png", "--position-weight", "--static-fraction"}, {"--help"});
  if (args.has("--help") || args.positional().size() != 1) {
    std::printf(
        "usage: nfs_tools segment ASSET.safetensors --segments L -o LABELS.safetensors [--png PICTURE.png]\n"
        "  Groups the model's vertices into L segments (6, 14, 20 or 24) by how the expression shapes\n"
        "  move them: contiguous, left/right symmetric, static head and neck on their own.\n"
        "  Writes 'labels' (I32 [V]) and a picture of the labels from the front and the side\n"
        "  (PICTURE defaults to LABELS with .png).\n"
        "  --position-weight W   position against motion in the clustering (default 1.0)\n"
        "  --static-fraction F   motion below F of the largest counts as static (default 0.03)\n");
    return args.has("--help") ? 0 : 2;
  }
  const std::string out = args.require("-o");
  SegmentationOptions opt;
  opt.segments = args.get_int("--segments", 20);
  opt.position_weight = float(args.get_double("--position-weight", opt.position_weight));
  opt.static_fraction = float(args.get_double("--static-fraction", opt.static_fraction));
  IctModel model = load_ict_model(args.positional()[0]);
  std::vector<int32_t> sizes(model.quads.size() / 4, 4);
  std::vector<int32_t> labels =
      segment_face(model.neutral, model.expression_deltas, model.num_expressions(), model.quads, sizes, opt);
  const int64_t V = model.num_vertices;
  write_safetensors(out, {{"labels", Tensor::from_ints({V}, labels)}},
                    {{"segments", std::to_string(opt.segments)},
                     {"method", "nfs_tools segment: k-means on expression motion + position, mirrored"}});

  std::vector<float> colors(3 * V);
  for (int64_t i = 0; i < V; ++i) segment_color(labels[i], &colors[3 * i]);
  std::vector<float> P = model.neutral;
  model.to_canonical(P);
  std::vector<int32_t> tris = model.triangles();
  Tensor faces = Tensor::from_ints({int64_t(tris.size() / 3), 3}, tris);
  RasterCamera cam = canonical_camera();
  Tensor front = render_colored(Tensor::from_vector({V, 3}, P), faces, colors, cam);
  Tensor side = render_colored(Tensor::from_vector({V, 3}, rotate_y(P, -90.0f)), faces, colors, cam);
  std::string png = args.get("--png", out.substr(0, out.rfind('.')) + ".png");
  write_png(png, hstack_images({front, side}));
  std::printf("%d segments over %lld vertices -> %s, picture %s\n", opt.segments, (long long)V, out.c_str(),
              png.c_str());
  return 0;
}

}  // namespace nfs
