// The picture of an evaluation (SPEC §7, docs/RESULTS.md): per sample, source | result | ground
// truth | error heat map on the result, front renders in the canonical frame.
#pragma once
#include <string>
#include <vector>

#include "train/topology.h"

namespace nfs {

struct ComparisonRow {
  std::string label;                  // written over the source
  const Topology* source_topology = nullptr;
  std::vector<float> source;          // [Vs·3] canonical positions
  const Topology* target_topology = nullptr;
  std::vector<float> result, truth;   // [Vt·3] canonical positions
};

// One row per sample; the error colour is the per-vertex distance |result − truth|, yellow at
// `max_error` (canonical units) and above. Cells of `cell_size` pixels.
void write_comparison_sheet(const std::string& path, const std::vector<ComparisonRow>& rows, float max_error,
                            int cell_size = 256);

}  // namespace nfs
