// What a training sample is made of (SPEC §6): identities drawn once from fixed seeds into
// train / validation / test splits that never overlap, and expression weights from a mixture
// of uniform, one-hot and sparse draws. Every draw is a pure function of (seed, index), so a
// resumed run sees exactly the samples an uninterrupted one would.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace nfs {

struct IdentitySplits {
  std::vector<std::vector<float>> train, validation, test;  // w_id vectors
};

// w_id ~ N(0, 1) per dimension; one stream from `seed`: train first, then validation, then test.
IdentitySplits make_identity_splits(uint64_t seed, int num_train, int num_validation, int num_test,
                                    int dims);

struct ExpressionMix {
  float uniform = 0.4f;  // every weight ~ U(0, 1)
  float one_hot = 0.3f;  // one shape at weight 1
  float sparse = 0.3f;   // 2..max_sparse shapes at U(0, 1), the rest 0
  int max_sparse = 6;
};

// One expression weight vector of `count` entries.
std::vector<float> sample_expression(std::mt19937_64& rng, const ExpressionMix& mix, int count);

// A generator for draw `index` of stream `stream` under `seed` (splitmix64 of the three).
std::mt19937_64 stream_rng(uint64_t seed, uint64_t stream, uint64_t index);

}  // namespace nfs
