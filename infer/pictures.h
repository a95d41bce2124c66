// Pictures of nfs_infer's results (results people look at get a picture): front renders in the
// canonical frame with the network's camera, arranged as strips and labelled contact sheets.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

#include "infer/engine.h"

namespace nfs {

// Front render [3, size, size] of canonical positions V (#V × 3) with triangles F.
Tensor render_mesh(const Eigen::MatrixXd& V, const Eigen::MatrixXi& F, int size = 256);

// source | result, one row per frame (at most 8 rows, evenly spaced) for `retarget --strip`.
void write_strip(const std::string& path, Engine& engine, const std::vector<std::string>& sources,
                 const std::vector<Eigen::MatrixXd>& source_positions, const AlignOptions& align,
                 const Engine::Target& target, const std::vector<std::vector<float>>& frames);

// Frames on the target (user frame and units, as decode returns them) as a labelled grid of at
// most `max_cells` evenly spaced frames: `animate --sheet`, `rig --sheet`. With heat_reference
// ≥ 0 each frame is coloured by how far its vertices moved from that frame (one scale for the
// sheet, yellow = the largest motion), or with per_cell_scale each on its own (yellow = that
// frame's largest motion: `rig --sheet`, so a blink shows as clearly as jawOpen).
void write_frames_sheet(const std::string& path, const Engine::Target& target,
                        const std::vector<std::vector<float>>& frames, const std::vector<std::string>& labels,
                        int columns, int max_cells, int cell_size, int heat_reference = -1,
                        bool per_cell_scale = false);

// Weights [frames × names.size()] over the frames for the `top` shapes with the largest peak weight
// (`encode --plot`).
void write_weights_plot(const std::string& path, const std::vector<float>& weights, int frames,
                        const std::vector<std::string>& names, int top = 8);

}  // namespace nfs
