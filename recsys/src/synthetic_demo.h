#pragma once
// recsys.demo: deterministic synthetic ratings from latent factors. A catalogue of head items with
// Zipf popularity takes (1 - tail_share) of the interactions; the rest go to a long tail of ids drawn
// from a huge universe, so the default size has about a million distinct item ids, most seen once:
// the recipe hashes items into a bounded table instead of a vocabulary, and the ranking report
// prints top-k recommendations for a user.
#include <adapt/plugin/demo.h>

namespace adapt::recsys {

struct SyntheticDemoSettings {
  int64_t n_interactions = 1600000;
  int64_t n_users = 10000;
  int64_t head_items = 20000;
  double tail_share = 0.55;  // interactions with long-tail items
  double zipf = 0.7;        // head popularity of rank r ~ r^-zipf
  int64_t n_factors = 4;    // true latent dimension
  int64_t epochs = 3;
  int64_t item_buckets = 1 << 18;
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
