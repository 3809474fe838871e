#include "bias_baseline.h"

#include <torch/torch.h>

#include <cmath>
#include <memory>

#include "ids_block.h"
#include "rating_target.h"
#include "register.h"

namespace adapt::recsys {

namespace {

const IdsBlock& ids_block(const DataBlocks& blocks, const std::string& baseline) {
  for (const auto& bound : blocks.inputs()) {
    if (const auto* ids = dynamic_cast<const IdsBlock*>(bound.block.get())) return *ids;
  }
  throw OptionError("baselines: " + baseline + " needs a recsys.ids input block");
}

std::string rating_column(const DataBlocks& blocks, const std::string& baseline) {
  const auto& target = blocks.target().block;
  if (!target || target->columns().size() != 1) {
    throw OptionError("baselines: " + baseline +
                      " needs a target with one rating column (recsys.rating or core.regression)");
  }
  return target->columns()[0];
}

}  // namespace

BiasBaseline::BiasBaseline(double reg_user, double reg_item, int64_t iterations)
    : reg_user_(reg_user), reg_item_(reg_item), iterations_(iterations) {}

OptionSchema BiasBaseline::schema() {
  return {
      OptionSpec("reg_user", OptionType::number, 10.0, "shrinkage of user biases towards 0").min(0),
      OptionSpec("reg_item", OptionType::number, 25.0, "shrinkage of item biases towards 0").min(0),
      OptionSpec("iterations", OptionType::integer, 10, "alternating updates").min(1),
  };
}

void BiasBaseline::fit(const BaselineContext& ctx) {
  const IdsBlock& ids = ids_block(ctx.blocks, "recsys.biases");
  const std::string column = rating_column(ctx.blocks, "recsys.biases");
  const auto& users = ctx.records.column(ids.user_column());
  const auto& items = ctx.records.column(ids.item_column());
  const auto& rows = ctx.split.train;
  std::vector<double> rating(rows.size());
  double sum = 0;
  for (size_t j = 0; j < rows.size(); ++j) sum += rating[j] = parse_rating(ctx.records, rows[j], column, "recsys.biases");
  mean_ = rows.empty() ? 0.0 : sum / static_cast<double>(rows.size());
  user_bias_.clear();
  item_bias_.clear();
  for (size_t r : rows) {
    user_bias_[users[r]] = 0;
    item_bias_[items[r]] = 0;
  }
  std::unordered_map<std::string, std::pair<double, double>> acc;  // id -> (residual sum, count)
  for (int64_t it = 0; it < iterations_; ++it) {
    acc.clear();
    for (size_t j = 0; j < rows.size(); ++j) {
      auto& a = acc[items[rows[j]]];
      a.first += rating[j] - mean_ - user_bias_[users[rows[j]]];
      a.second += 1;
    }
    for (auto& [item, a] : acc) item_bias_[item] = a.first / (reg_item_ + a.second);
    acc.clear();
    for (size_t j = 0; j < rows.size(); ++j) {
      auto& a = acc[users[rows[j]]];
      a.first += rating[j] - mean_ - item_bias_[items[rows[j]]];
      a.second += 1;
    }
    for (auto& [user, a] : acc) user_bias_[user] = a.first / (reg_user_ + a.second);
  }
}

torch::Tensor BiasBaseline::predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
  const IdsBlock& ids = ids_block(ctx.blocks, "recsys.biases");
  const auto* scale = dynamic_cast<const RatingTarget*>(ctx.blocks.target().block.get());
  const auto& users = ctx.records.column(ids.user_column());
  const auto& items = ctx.records.column(ids.item_column());
  torch::Tensor out = torch::empty({static_cast<int64_t>(rows.size()), 1}, torch::kFloat);
  auto* data = out.data_ptr<float>();
  for (size_t j = 0; j < rows.size(); ++j) {
    double p = mean_;
    if (auto u = user_bias_.find(users[rows[j]]); u != user_bias_.end()) p += u->second;
    if (auto i = item_bias_.find(items[rows[j]]); i != item_bias_.end()) p += i->second;
    data[j] = static_cast<float>(scale ? scale->clamp(p) : p);
  }
  return out;
}

void MostPopularBaseline::fit(const BaselineContext& ctx) {
  const IdsBlock& ids = ids_block(ctx.blocks, "recsys.most_popular");
  const auto& items = ctx.records.column(ids.item_column());
  counts_.clear();
  for (size_t r : ctx.split.train) counts_[items[r]] += 1;
}

torch::Tensor MostPopularBaseline::predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
  const IdsBlock& ids = ids_block(ctx.blocks, "recsys.most_popular");
  const auto& items = ctx.records.column(ids.item_column());
  torch::Tensor out = torch::zeros({static_cast<int64_t>(rows.size()), 1}, torch::kFloat);
  auto* data = out.data_ptr<float>();
  for (size_t j = 0; j < rows.size(); ++j) {
    auto it = counts_.find(items[rows[j]]);
    data[j] = static_cast<float>(std::log1p(it == counts_.end() ? 0.0 : it->second));
  }
  return out;
}

void register_baselines(Registry& registry) {
  registry.add_baseline("recsys.biases", "global mean + regularised user and item biases", BiasBaseline::schema(),
                        [](const Options& o) {
                          return std::make_shared<BiasBaseline>(o.number("reg_user"), o.number("reg_item"),
                                                                o.integer("iterations"));
                        });
  registry.add_baseline("recsys.most_popular", "scores items by training popularity", MostPopularBaseline::schema(),
                        [](const Options&) { return std::make_shared<MostPopularBaseline>(); });
}

}  // namespace adapt::recsys
