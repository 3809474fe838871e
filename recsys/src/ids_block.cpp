#include "ids_block.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "implicit_target.h"
#include "models.h"
#include "rating_target.h"
#include "adapt/report/plot.h"
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
  return encode_ids(records.at(row, user_column_), records.at(row, item_column_));
}

std::optional<TensorDict> IdsBlock::encode_batch(const Records& records, const std::vector<size_t>& rows,
                                                 const EncodeContext&) const {
  auto encode_column = [&](const std::string& column, const IdEncoder& ids) {
    const std::vector<std::string>& values = records.column(column);
    torch::Tensor encoded = torch::empty({static_cast<int64_t>(rows.size()), ids.slots()}, torch::kInt64);
    int64_t* out = encoded.data_ptr<int64_t>();
    for (size_t i = 0; i < rows.size(); ++i) ids.encode(values[rows[i]], out + static_cast<int64_t>(i) * ids.slots());
    return encoded;
  };
  return TensorDict{{"user", encode_column(user_column_, users_)}, {"item", encode_column(item_column_, items_)}};
}

TensorDict IdsBlock::noise(const Records&, size_t row, const EncodeContext&, const std::string&,
                           const NoiseContext& ctx) const {
  Rng rng = ctx.rng(row);
  const std::string user = users_.random_id(rng);
  return encode_ids(user, items_.random_id(rng));
}

TensorDict IdsBlock::encode_ids(const std::string& user_id, const std::string& item_id) const {
  torch::Tensor user = torch::empty({users_.slots()}, torch::kInt64);
  torch::Tensor item = torch::empty({items_.slots()}, torch::kInt64);
  users_.encode(user_id, user.data_ptr<int64_t>());
  items_.encode(item_id, item.data_ptr<int64_t>());
  return {{"user", user}, {"item", item}};
}

std::vector<InputPart> IdsBlock::parts(const Records& records, size_t row, const TensorDict& item) const {
  std::vector<InputPart> parts;
  for (const auto& [key, column] : {std::pair<std::string, std::string>{"user", user_column_}, {"item", item_column_}}) {
    InputPart part{key + "=" + records.at(row, column), item};
    part.without[key] = torch::zeros_like(item.at(key));
    parts.push_back(std::move(part));
  }
  return parts;
}

std::string IdsBlock::show(const Records& records, size_t row, const TensorDict& item) const {
  std::string html;
  for (const auto& [key, column] : {std::pair<std::string, std::string>{"user", user_column_}, {"item", item_column_}})
    html += key + " <code>" + xml_escape(records.at(row, column)) + "</code> rows " + show_values(item.at(key)) + "<br>";
  return html;
}

std::string IdsBlock::show_learned(const Records& records, size_t row, const std::string& key, Model& model,
                                   const std::vector<size_t>& train_rows) const {
  // Only a recsys model reading this block keeps item vectors (a fusion branch's model is wrapped).
  auto* recommender = dynamic_cast<RecsysModel*>(&model);
  if (recommender == nullptr || recommender->item_key() != key + ".item") return {};
  const auto& items = records.column(item_column_);
  const std::string& item = items[row];
  if (!items_.known(item)) return "item <code>" + xml_escape(item) + "</code> was not seen in training: the model reads it as the unknown id<br>";
  // The candidates: the other distinct training items, first seen first, at most kMaxCandidates so
  // that a catalogue of millions costs the report little.
  constexpr size_t kMaxCandidates = 50000, kShown = 5;
  std::vector<const std::string*> candidates;
  std::unordered_set<std::string_view> taken{item};
  for (size_t r : train_rows) {
    if (candidates.size() == kMaxCandidates) break;
    if (taken.insert(items[r]).second) candidates.push_back(&items[r]);
  }
  if (candidates.empty()) return {};
  const auto n = static_cast<int64_t>(candidates.size());
  const int64_t slots = items_.slots();
  torch::Tensor ids = torch::empty({n + 1, slots}, torch::kInt64);
  for (int64_t i = 0; i < n; ++i) items_.encode(*candidates[static_cast<size_t>(i)], ids.data_ptr<int64_t>() + i * slots);
  items_.encode(item, ids.data_ptr<int64_t>() + n * slots);
  torch::NoGradGuard no_grad;
  const torch::Tensor vectors = torch::nn::functional::normalize(
      recommender->item_vectors(ids).to(torch::kFloat), torch::nn::functional::NormalizeFuncOptions().dim(1));
  const auto [similarity, nearest] = vectors.narrow(0, 0, n).mv(vectors[n]).topk(std::min<int64_t>(kShown, n));
  std::string html = "nearest items by the model's learned vectors (cosine):";
  for (int64_t i = 0; i < nearest.numel(); ++i) {
    char value[16];
    std::snprintf(value, sizeof value, "%.2f", similarity[i].item<double>());
    html += " <code>" + xml_escape(*candidates[static_cast<size_t>(nearest[i].item<int64_t>())]) + "</code> (" + value + ")";
  }
  return html + "<br>";
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

// Quoted: an empty id or one with spaces shows as what it is.
std::string IdsBlock::unseen_ids(const std::string& user, const std::string& item) const {
  std::string why;
  if (!users_.known(user)) why = "user \"" + user + "\" unseen in training";
  if (!items_.known(item)) why += (why.empty() ? "" : "; ") + ("item \"" + item + "\" unseen in training");
  return why;
}

std::string IdsBlock::unseen(const Records& records, size_t row) const {
  return unseen_ids(records.at(row, user_column_), records.at(row, item_column_));
}

std::vector<std::string> IdsBlock::unseen_batch(const Records& records) const {
  const auto& users = records.column(user_column_);
  const auto& items = records.column(item_column_);
  std::vector<std::string> why(records.size());
  for (size_t row = 0; row < why.size(); ++row) why[row] = unseen_ids(users[row], items[row]);
  return why;
}

json IdsBlock::audit(const Records& records, const std::vector<size_t>& rows) const {
  std::unordered_map<std::string, int64_t> per_user, per_item;
  size_t cold_users = 0, cold_items = 0;
  for (size_t r : rows) {
    const std::string& user = records.at(r, user_column_);
    const std::string& item = records.at(r, item_column_);
    ++per_user[user];
    ++per_item[item];
    cold_users += !users_.known(user);
    cold_items += !items_.known(item);
  }
  auto median = [](const std::unordered_map<std::string, int64_t>& counts) {
    std::vector<int64_t> v;
    for (const auto& [id, n] : counts) v.push_back(n);
    if (v.empty()) return int64_t{0};
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  const double n = rows.empty() ? 1.0 : static_cast<double>(rows.size());
  json stats = {{"rows", rows.size()}, {"users", per_user.size()}, {"items", per_item.size()},
                {"median_rows_per_user", median(per_user)}, {"median_rows_per_item", median(per_item)},
                {"cold_user_share", static_cast<double>(cold_users) / n},
                {"cold_item_share", static_cast<double>(cold_items) / n}};
  json warnings = json::array(), notes = json::array();
  auto percent = [&](size_t k) { return std::to_string(static_cast<int>(100.0 * static_cast<double>(k) / n + 0.5)) + "%"; };
  if (cold_users * 10 > rows.size())
    warnings.push_back(percent(cold_users) + " of the rows have a user the training split lacks (cold users): the "
                                             "model falls back to its unknown-user row for them");
  if (cold_items * 10 > rows.size())
    warnings.push_back(percent(cold_items) + " of the rows have an item the training split lacks (cold items)");
  notes.push_back(std::to_string(per_user.size()) + " users, " + std::to_string(per_item.size()) +
                  " items; median rows per user " + std::to_string(median(per_user)) + ", per item " +
                  std::to_string(median(per_item)) + "; cold users " + percent(cold_users) + ", cold items " +
                  percent(cold_items) + " (counted in vocab mode only: hashed ids are never unknown)");
  return {{"stats", stats}, {"warnings", warnings}, {"notes", notes}};
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
