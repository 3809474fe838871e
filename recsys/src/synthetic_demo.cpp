#include "synthetic_demo.h"

#include <adapt/common/atomic_file.h>
#include <adapt/common/rng.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <unordered_set>

#include "register.h"

namespace adapt::recsys {

namespace {

// Item ids look like real catalogue ids: a bijective scramble of the popularity rank (odd multiplier
// modulo 2^40), so neither order nor density gives the rank away.
std::string item_id(int64_t rank) {
  const uint64_t x = (static_cast<uint64_t>(rank) * 0x9E3779B97F4BULL + 0x5DEECE66DULL) & ((uint64_t{1} << 40) - 1);
  return std::to_string(x);
}

void latent(uint64_t seed, int64_t n, std::vector<double>& out) {
  Rng rng(seed);
  out.resize(static_cast<size_t>(n));
  for (auto& v : out) v = rng.normal(0.0, 1.0 / std::sqrt(static_cast<double>(n)));
}

}  // namespace

OptionSchema SyntheticDemo::schema() {
  return {
      OptionSpec("n_interactions", OptionType::integer, 1600000, "ratings drawn (duplicates dropped)").min(100),
      OptionSpec("n_users", OptionType::integer, 10000, "users").min(2),
      OptionSpec("head_items", OptionType::integer, 20000, "catalogue items with Zipf popularity").min(10),
      OptionSpec("tail_share", OptionType::number, 0.55, "share of interactions with long-tail ids (mostly unique)")
          .min(0)
          .max(0.95),
      OptionSpec("zipf", OptionType::number, 0.7, "head popularity exponent: rank r is drawn ~ r^-zipf").min(0).max(0.95),
      OptionSpec("n_factors", OptionType::integer, 4, "true latent dimension").min(1),
      OptionSpec("epochs", OptionType::integer, 3, "training epochs of the recipe").min(1),
      OptionSpec("item_buckets", OptionType::integer, 1 << 18, "hash buckets for item ids").min(16),
  };
}

std::shared_ptr<SyntheticDemo> SyntheticDemo::create(const Options& options) {
  SyntheticDemoSettings s;
  s.n_interactions = options.integer("n_interactions");
  s.n_users = options.integer("n_users");
  s.head_items = options.integer("head_items");
  s.tail_share = options.number("tail_share");
  s.zipf = options.number("zipf");
  s.n_factors = options.integer("n_factors");
  s.epochs = options.integer("epochs");
  s.item_buckets = options.integer("item_buckets");
  return std::make_shared<SyntheticDemo>(s);
}

std::string SyntheticDemo::description() const {
  return "synthetic ratings from latent factors: " + std::to_string(s_.head_items) +
         " head items with Zipf popularity plus a long tail of unique ids, hashed into " +
         std::to_string(s_.item_buckets) + " buckets";
}

void SyntheticDemo::generate(const std::filesystem::path& dir, uint64_t seed) const {
  std::filesystem::create_directories(dir);
  Rng rng(seed);
  const int64_t d = s_.n_factors;
  // User factors and biases, drawn up front (users are few).
  std::vector<std::vector<double>> user_factors(static_cast<size_t>(s_.n_users));
  std::vector<double> user_bias(static_cast<size_t>(s_.n_users));
  for (int64_t u = 0; u < s_.n_users; ++u) {
    latent(mix_seed(seed, 1000000000ULL + static_cast<uint64_t>(u)), d, user_factors[static_cast<size_t>(u)]);
    user_bias[static_cast<size_t>(u)] = rng.normal(0.0, 0.3);
  }
  std::unordered_set<uint64_t> pairs;
  std::string text = "user,item,rating,timestamp\n";
  text.reserve(static_cast<size_t>(s_.n_interactions) * 32);
  std::vector<double> item_factors;
  const double exponent = 1.0 / (1.0 - s_.zipf);
  for (int64_t n = 0; n < s_.n_interactions; ++n) {
    // Active users rate more: user = n_users * u^2.
    const auto user = std::min<int64_t>(s_.n_users - 1, static_cast<int64_t>(s_.n_users * std::pow(rng.uniform(), 2.0)));
    // Head ranks are 0..head_items-1; tail ranks come from a 2^39 universe (practically unique).
    const int64_t rank =
        rng.uniform() < s_.tail_share
            ? s_.head_items + rng.integer(0, int64_t{1} << 39)
            : std::min<int64_t>(s_.head_items - 1, static_cast<int64_t>(s_.head_items * std::pow(rng.uniform(), exponent)));
    if (!pairs.insert(mix_seed(static_cast<uint64_t>(user), static_cast<uint64_t>(rank))).second) continue;
    // Item factors come from the rank's own stream, so nothing per tail id is stored.
    const uint64_t item_seed = mix_seed(seed, static_cast<uint64_t>(rank));
    latent(item_seed, d, item_factors);
    const double item_bias = Rng(item_seed ^ 0xB1A5ULL).normal(0.0, 0.5);
    double dot = 0;
    for (int64_t k = 0; k < d; ++k) dot += user_factors[static_cast<size_t>(user)][static_cast<size_t>(k)] * item_factors[static_cast<size_t>(k)];
    double rating = 3.5 + user_bias[static_cast<size_t>(user)] + item_bias + std::sqrt(static_cast<double>(d)) * dot + rng.normal(0.0, 0.4);
    rating = std::clamp(std::round(rating * 2.0) / 2.0, 0.5, 5.0);
    char line[96];
    std::snprintf(line, sizeof line, "u%lld,%s,%.1f,%lld\n", static_cast<long long>(user), item_id(rank).c_str(),
                  rating, static_cast<long long>(1500000000LL + n * 7));
    text += line;
  }
  write_text_atomically(dir / "ratings.csv", text);
}

json SyntheticDemo::recipe(const std::filesystem::path& data_dir) const {
  return {
      {"seed", 42},
      {"reader", {{"name", "recsys.interactions"}, {"path", (data_dir / "ratings.csv").string()},
                  {"rating_min", 0.5}, {"rating_max", 5.0}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.1}}},
      {"inputs", {{{"name", "recsys.ids"}, {"user_mode", "vocab"}, {"item_mode", "hash"},
                   {"item_buckets", s_.item_buckets}, {"n_hashes", 2}}}},
      {"target", {{"name", "recsys.rating"}, {"min", 0.5}, {"max", 5.0}}},
      {"transforms", {{{"name", "recsys.id_dropout"}, {"user_rate", 0.01}, {"item_rate", 0.01}}}},
      {"loader", {{"batch_size", 1024}, {"workers", 1}}},
      {"model", {{"name", "recsys.dot_bias"}, {"n_factors", 32}, {"y_range", {0.0, 5.5}}}},
      {"metrics", {"core.rmse", "core.mae"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", s_.epochs}, {"lr", 1e-2}, {"wd", 0.02}}},
      {"baselines", {{{"name", "recsys.biases"}}}},
      {"reports", {{{"name", "recsys.ranking"}, {"k", {10}}, {"max_users", 200}, {"show", 10}}}},
  };
}

std::vector<std::string> SyntheticDemo::predict_inputs(const std::filesystem::path& data_dir) const {
  // Never a rated pair (it could be a training row): the first user with an item of the file that
  // user never rated, the same user with an item id never seen (cold start: falls back to biases),
  // and an unseen user with that item.
  std::ifstream file(data_dir / "ratings.csv");
  std::string line;
  std::getline(file, line);  // header
  std::string user;
  std::vector<std::string> items;
  std::set<std::string> rated_by_user;
  while (std::getline(file, line)) {
    const auto comma = line.find(','), comma2 = line.find(',', comma + 1);
    const std::string u = line.substr(0, comma), item = line.substr(comma + 1, comma2 - comma - 1);
    if (user.empty()) user = u;
    if (u == user) rated_by_user.insert(item);
    items.push_back(item);
  }
  const auto unrated = std::find_if(items.begin(), items.end(), [&](const std::string& i) { return !rated_by_user.count(i); });
  if (user.empty() || unrated == items.end())
    throw DataError("recsys demo: " + (data_dir / "ratings.csv").string() + " has no user with an item left to rate");
  return {user + "," + *unrated, user + ",never-seen-item", "never-seen-user," + *unrated};
}

void register_demo(Registry& registry) {
  registry.add_demo("recsys.demo", "synthetic ratings with ~1M hashed item ids", SyntheticDemo::schema(),
                    [](const Options& o) { return SyntheticDemo::create(o); });
}

}  // namespace adapt::recsys
