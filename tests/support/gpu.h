// GPU test cases: where no CUDA device exists they are skipped, and say so.
// Under ctest (NFS_CTEST_SKIP=1, set by tests/CMakeLists.txt) a skipped case exits with code 77,
// which ctest counts and lists as "Skipped" by name. Run by hand, it prints a warning and returns.
#pragma once
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>

#include "kernels/cuda_context.h"

#define NFS_REQUIRE_GPU()                                                                   \
  do {                                                                                      \
    if (!::nfs::cuda_available()) {                                                         \
      const char* nfs_ctest_ = std::getenv("NFS_CTEST_SKIP");                               \
      if (nfs_ctest_ && nfs_ctest_[0] == '1') {                                             \
        std::printf("SKIPPED: no CUDA device for %s\n",                                     \
                    Catch::getResultCapture().getCurrentTestName().c_str());                \
        std::fflush(stdout);                                                                \
        std::_Exit(77);                                                                     \
      }                                                                                     \
      WARN("skipped: no CUDA device");                                                      \
      return;                                                                               \
    }                                                                                       \
  } while (0)
