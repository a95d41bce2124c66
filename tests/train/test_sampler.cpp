#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "train/sampler.h"

using namespace nfs;

TEST_CASE("identity splits are deterministic, disjoint and standard normal", "[sampler]") {
  IdentitySplits a = make_identity_splits(7, 100, 1, 10, 100), b = make_identity_splits(7, 100, 1, 10, 100);
  CHECK(a.train == b.train);
  CHECK(a.test == b.test);
  REQUIRE(a.train.size() == 100);
  REQUIRE(a.validation.size() == 1);
  REQUIRE(a.test.size() == 10);
  std::set<std::vector<float>> all;
  for (auto* split : {&a.train, &a.validation, &a.test})
    for (const auto& w : *split) all.insert(w);
  CHECK(all.size() == 111);  // no identity appears twice
  double sum = 0, sq = 0;
  for (const auto& w : a.train)
    for (float x : w) {
      sum += x;
      sq += x * x;
    }
  const double n = 100.0 * 100.0;
  CHECK(std::abs(sum / n) < 0.05);
  CHECK(std::abs(sq / n - 1.0) < 0.05);
  CHECK(make_identity_splits(8, 100, 1, 10, 100).train != a.train);
}

TEST_CASE("expression mixture draws uniform, one-hot and sparse weights in [0, 1]", "[sampler]") {
  ExpressionMix mix;
  int uniform = 0, onehot = 0, sparse = 0;
  for (uint64_t i = 0; i < 3000; ++i) {
    std::mt19937_64 rng = stream_rng(1, 2, i);
    std::vector<float> w = sample_expression(rng, mix, 53);
    REQUIRE(w.size() == 53);
    int nonzero = 0;
    for (float x : w) {
      CHECK(x >= 0.0f);
      CHECK(x <= 1.0f);
      nonzero += x != 0.0f;
    }
    if (nonzero == 53) ++uniform;
    else if (nonzero == 1) ++onehot;
    else ++sparse;
  }
  CHECK(std::abs(uniform / 3000.0 - 0.4) < 0.04);
  CHECK(std::abs(onehot / 3000.0 - 0.3) < 0.04);
  CHECK(std::abs(sparse / 3000.0 - 0.3) < 0.04);
  std::mt19937_64 r1 = stream_rng(1, 2, 5), r2 = stream_rng(1, 2, 5);
  CHECK(sample_expression(r1, mix, 53) == sample_expression(r2, mix, 53));
}
