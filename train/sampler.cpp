#include "train/sampler.h"

#include <algorithm>
#include <numeric>

namespace nfs {

namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

std::mt19937_64 stream_rng(uint64_t seed, uint64_t stream, uint64_t index) {
  return std::mt19937_64(splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index));
}

IdentitySplits make_identity_splits(uint64_t seed, int num_train, int num_validation, int num_test, int dims) {
  std::mt19937_64 rng = stream_rng(seed, 0x1D, 0);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto draw = [&](int n) {
    std::vector<std::vector<float>> out(n, std::vector<float>(dims));
    for (auto& w : out)
      for (float& x : w) x = normal(rng);
    return out;
  };
  IdentitySplits s;
  s.train = draw(num_train);
  s.validation = draw(num_validation);
  s.test = draw(num_test);
  return s;
}

std::vector<float> sample_expression(std::mt19937_64& rng, const ExpressionMix& mix, int count) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> w(count, 0.0f);
  const float total = mix.uniform + mix.one_hot + mix.sparse;
  const float pick = u(rng) * total;
  if (pick < mix.uniform) {
    for (float& x : w) x = u(rng);
  } else if (pick < mix.uniform + mix.one_hot) {
    w[std::uniform_int_distribution<int>(0, count - 1)(rng)] = 1.0f;
  } else {
    std::vector<int> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    const int n = std::uniform_int_distribution<int>(2, std::max(2, std::min(mix.max_sparse, count)))(rng);
    for (int i = 0; i < n && i < count; ++i) w[order[i]] = u(rng);
  }
  return w;
}

}  // namespace nfs
