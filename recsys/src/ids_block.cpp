#include "ids_block.h"

#include <torch/torch.h>

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "implicit_target.h"
#include "rating_target.h"
#include "register.h"

namespace adapt::recsys {

IdsBlock::IdsBlock(std::string user_column, std::string item_column, IdEncoderOptions user, IdEncoderOptions item)
    : user_column_(std::move(user_column)), item_column_(std::move(item_column)), users_(user), items_(item) {}

OptionSchema IdsBlock::schema() {
  return {
      OptionSpec("user_column", OptionType::string, "user", "column holding user ids"),
      OptionSpec("item_column", OptionType::string, "item", "column holding item ids"),
      OptionSpec("mode", OptionType::string, "vocab",
                 "vocab: vocabulary learned on train; hash: hashing trick; qr: quotient-remainder embeddings")
          .choices({"vocab", "hash", "qr"}),
      OptionSpec("user_mode", OptionType::string, "", "overrides mode for users").choices({"", "vocab", "hash", "qr"}),
      OptionSpec("item_mode", OptionType::string, "", "overrides mode for items").choices({"", "vocab", "hash", "qr"}),
      OptionSpec("min_count", OptionType::integer, 1, "vocab: ids seen fewer times in train map to the unknown row")
          .min(1),
      OptionSpec("max_size", OptionType::integer, 0, "vocab: keep only the most frequent ids (0: all)").min(0),
      OptionSpec("buckets", OptionType::integer, 1 << 18, "hash, qr: rows per table, bounding memory").min(1),
      OptionSpec("user_buckets", OptionType::integer, 0, "overrides buckets for users (0: buckets)").min(0),
      OptionSpec("item_buckets", OptionType::integer, 0, "overrides buckets for items (0: buckets)").min(0),
      OptionSpec("n_hashes", OptionType::integer, 2, "hash: hashes per id, embeddings summed").min(1).max(8),
      OptionSpec("quotient_buckets", OptionType::integer, 1024, "qr: rows of the quotient table").min(1),
      OptionSpec("seed", OptionType::integer, 0, "hash, qr: hash seed").min(0),
  };
}

std::shared_ptr<IdsBlock> IdsBlock::create(const Options& options) {
  IdEncoderOptions base;
  base.min_count = options.integer("min_count");
  base.max_size = options.integer("max_size");
  base.n_hashes = options.integer("n_hashes");
  base.quotient_buckets = options.integer("quotient_buckets");
  base.seed = static_cast<uint64_t>(options.integer("seed"));
  IdEncoderOptions user = base, item = base;
  const std::string mode = options.string("mode");
  user.mode = options.string("user_mode").empty() ? mode : options.string("user_mode");
  item.mode = options.string("item_mode").empty() ? mode : options.string("item_mode");
  const int64_t buckets = options.integer("buckets");
  user.buckets = options.integer("user_buckets") > 0 ? options.integer("user_buckets") : buckets;
  item.buckets = options.integer("item_buckets") > 0 ? options.integer("item_buckets") : buckets;
  item.seed = base.seed + 1000;  // users and items hash independently
  if (options.string("user_column") == options.string("item_column")) {
    throw options.error("item_column", "must differ from user_column (\"" + options.string("user_column") + "\")");
  }
  return std::make_shared<IdsBlock>(options.string("user_column"), options.string("item_column"), user, item);
}

void IdsBlock::setup(const Records& train) {
  const auto& user_ids = train.column(user_column_);
  const auto& item_ids = train.column(item_column_);
  users_.fit(user_ids);
  items_.fit(item_ids);
  // Distinct training items in first-seen order (deterministic), with counts.
  std::unordered_map<std::string, int64_t> position;
  std::vector<int64_t> counts;
  std::vector<int64_t> encoded;
  const int64_t slots = items_.slots();
  for (const auto& id : item_ids) {
    auto [it, inserted] = position.emplace(id, static_cast<int64_t>(counts.size()));
    if (inserted) {
      counts.push_back(0);
      encoded.resize(encoded.size() + slots);
      items_.encode(id, encoded.data() + encoded.size() - slots);
    }
    ++counts[it->second];
  }
  const auto n = static_cast<int64_t>(counts.size());
  train_items_ = torch::from_blob(encoded.data(), {n, slots}, torch::kInt64).clone();
  train_item_counts_ = torch::from_blob(counts.data(), {n}, torch::kInt64).clone();
}

TensorDict IdsBlock::encode(const Records& records, size_t row, const EncodeContext&) const {
  torch::Tensor user = torch::empty({users_.slots()}, torch::kInt64);
  torch::Tensor item = torch::empty({items_.slots()}, torch::kInt64);
  users_.encode(records.at(row, user_column_), user.data_ptr<int64_t>());
  items_.encode(records.at(row, item_column_), item.data_ptr<int64_t>());
  return {{"user", user}, {"item", item}};
}

json IdsBlock::dims() const {
  return {{"user", users_.dims()}, {"item", items_.dims()}};
}

json IdsBlock::state() const {
  return {{"user_column", user_column_}, {"item_column", item_column_}, {"user", users_.state()},
          {"item", items_.state()}};
}

void IdsBlock::load_state(const json& state) {
  if (!state.contains("user") || !state.contains("item")) {
    throw DataError("recsys.ids: the saved state has no user/item encoders; re-export the model");
  }
  users_.load_state(state.at("user"));
  items_.load_state(state.at("item"));
  if (state.contains("user_column")) user_column_ = state.at("user_column").get<std::string>();
  if (state.contains("item_column")) item_column_ = state.at("item_column").get<std::string>();
}

std::string IdsBlock::describe(const Records& records, size_t row) const {
  return "user " + records.at(row, user_column_) + ", item " + records.at(row, item_column_);
}

// Every recsys block, the rating and implicit targets included, so the kind has one registration function.
void register_blocks(Registry& registry) {
  registry.add_block("recsys.ids", "user and item ids -> embedding rows (vocabulary, hashing or quotient-remainder)",
                     IdsBlock::schema(), [](const Options& o) { return IdsBlock::create(o); });
  registry.add_block("recsys.rating", "explicit rating target (MSE), clamped to the scale when decoding",
                     RatingTarget::schema(), [](const Options& o) { return RatingTarget::create(o); });
  registry.add_block("recsys.implicit", "implicit-feedback target (BCE with logits); pair with negative sampling",
                     ImplicitTarget::schema(), [](const Options& o) {
                       return std::make_shared<ImplicitTarget>(o.string("column"), o.number("threshold"));
                     });
}

}  // namespace adapt::recsys
