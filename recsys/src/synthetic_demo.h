#pragma once
// recsys.demo: deterministic synthetic ratings from latent factors. Item popularity follows a Zipf-like
// power law over a large id universe, so the default size has about a million distinct item ids (most
// seen once or twice, a few thousands of times): the recipe hashes items into a bounded table instead
// of a vocabulary, and the ranking report prints top-k recommendations for a user.
#include <adapt/demo.h>

namespace adapt::recsys {

struct SyntheticDemoSettings {
  int64_t n_interactions = 1300000;
  int64_t n_users = 20000;
  int64_t item_universe = 4000000;
  double zipf = 0.5;       // popularity of rank r ~ r^-zipf
  int64_t n_factors = 8;   // true latent dimension
  int64_t epochs = 2;
  int64_t item_buckets = 1 << 17;
};

class SyntheticDemo : public Demo {
 public:
  explicit SyntheticDemo(SyntheticDemoSettings settings) : s_(settings) {}
  static OptionSchema schema();
  static std::shared_ptr<SyntheticDemo> create(const Options& options);

  std::string description() const override;
  void generate(const std::filesystem::path& dir, uint64_t seed) const override;
  json recipe(const std::filesystem::path& data_dir) const override;
  std::vector<std::string> predict_inputs(const std::filesystem::path& data_dir) const override;

 private:
  SyntheticDemoSettings s_;
};

}  // namespace adapt::recsys
