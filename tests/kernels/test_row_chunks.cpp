// The row split of the CUDA column reductions (kernels/row_chunks.h), checked on the host: the
// chunks cover every row exactly once, in order, none longer than 8 lanes × kRowsPerLane.
#include <catch2/catch.hpp>

#include "kernels/row_chunks.h"

using namespace nfs;

TEST_CASE("row chunks cover every row once, none longer than 8 x kRowsPerLane", "[op][cpu]") {
  CHECK(row_chunks(0) == 1);
  CHECK(row_chunks(8 * kRowsPerLane) == 1);  // one chunk: the deterministic path
  CHECK(row_chunks(8 * kRowsPerLane + 1) == 2);
  CHECK(row_chunks(1600000) == 391);
  CHECK(row_chunks(int64_t(1) << 40) == 65535);  // the grid's y limit
  for (int64_t rows : {1, 7, 4096, 4097, 12000, 18000, 100003, 1600000}) {
    const int64_t chunks = row_chunks(rows);
    int64_t next = 0;
    for (int64_t i = 0; i < chunks; ++i) {
      int64_t first = 0, last = 0;
      chunk_rows(rows, chunks, i, first, last);
      INFO("rows " << rows << " chunk " << i);
      CHECK(last - first <= 8 * kRowsPerLane);
      if (first >= last) continue;  // past the end: adds nothing
      CHECK(first == next);
      next = last;
    }
    CHECK(next == rows);
  }
  // More chunks than rows (a grid sized elsewhere): the tail chunks are empty, none overlaps.
  int64_t covered = 0;
  for (int64_t i = 0; i < 4; ++i) {
    int64_t first = 0, last = 0;
    chunk_rows(5, 4, i, first, last);
    covered += first < last ? last - first : 0;
  }
  CHECK(covered == 5);
}
