// Two networks hold bit-for-bit the same parameters (resume tests: a resumed run must equal an
// uninterrupted one).
#pragma once
#include <catch2/catch.hpp>

#include "nn/nfs_network.h"

namespace nfs::test {

inline void check_same_parameters(NfsNetwork& x, NfsNetwork& y) {
  auto a = x.named_parameters(), b = y.named_parameters();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].first);
    CHECK(a[i].second.value().to_vector() == b[i].second.value().to_vector());
  }
}

}  // namespace nfs::test
