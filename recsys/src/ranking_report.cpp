#include "ranking_report.h"

#include <torch/torch.h>

#include <adapt/train/learner.h>

#include <algorithm>
#include <iomanip>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "models.h"
#include "ranking_metrics.h"
#include "register.h"

namespace adapt::recsys {

namespace {

std::vector<int64_t> top_k(torch::Tensor scores, int64_t k) {
  k = std::min<int64_t>(k, scores.size(0));
  torch::Tensor idx = std::get<1>(scores.topk(k));
  return std::vector<int64_t>(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
}

json to_json(const std::map<std::string, double>& values) {
  json out = json::object();
  for (const auto& [k, v] : values) out[k] = v;
  return out;
}

}  // namespace

json evaluate_ranking(Model& model, const IdsBlock& ids, const std::string& input, const Records& records,
                      const std::vector<size_t>& train_rows, const std::vector<size_t>& seen_rows,
                      const std::vector<size_t>& eval_rows, const RankingOptions& options) {
  const auto& users = records.column(ids.user_column());
  const auto& items = records.column(ids.item_column());

  // The catalogue: every distinct item of the data, in first-seen order.
  std::unordered_map<std::string, int64_t> position;
  std::vector<const std::string*> catalogue;
  for (const auto& item : items) {
    if (position.emplace(item, static_cast<int64_t>(catalogue.size())).second) catalogue.push_back(&item);
  }
  const auto n_items = static_cast<int64_t>(catalogue.size());
  const int64_t item_slots = ids.items().slots();
  torch::Tensor item_ids = torch::empty({n_items, item_slots}, torch::kInt64);
  for (int64_t i = 0; i < n_items; ++i) ids.items().encode(*catalogue[i], item_ids.data_ptr<int64_t>() + i * item_slots);

  torch::Tensor popularity = torch::zeros({n_items}, torch::kDouble);
  for (size_t r : train_rows) popularity[position.at(items[r])] += 1.0;
  // Ties broken by catalogue order so the baseline is deterministic.
  popularity -= torch::arange(n_items, torch::kDouble) / static_cast<double>(n_items + 1);

  std::unordered_map<std::string, std::vector<int64_t>> seen;
  for (size_t r : seen_rows) seen[users[r]].push_back(position.at(items[r]));
  std::unordered_map<std::string, std::unordered_set<int64_t>> relevant;
  std::vector<std::string> eval_users;
  for (size_t r : eval_rows) {
    auto& set = relevant[users[r]];
    if (set.empty()) eval_users.push_back(users[r]);
    set.insert(position.at(items[r]));
  }
  if (options.max_users > 0 && static_cast<int64_t>(eval_users.size()) > options.max_users) {
    Rng rng(options.seed);
    for (size_t i = eval_users.size() - 1; i > 0; --i) {
      std::swap(eval_users[i], eval_users[static_cast<size_t>(rng.integer(0, static_cast<int64_t>(i) + 1))]);
    }
    eval_users.resize(static_cast<size_t>(options.max_users));
  }

  const int64_t k_max = *std::max_element(options.ks.begin(), options.ks.end());
  RankingAccumulator model_acc(options.ks), popular_acc(options.ks);
  json example;
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  const std::string user_key = input + ".user", item_key = input + ".item";
  auto* factorized = dynamic_cast<FactorizedScorer*>(&model);
  torch::Tensor item_side;  // factorised models: the item side of every item, computed once
  if (factorized) {
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < n_items; start += options.chunk) {
      parts.push_back(factorized->item_side(item_ids.narrow(0, start, std::min(options.chunk, n_items - start))));
    }
    item_side = torch::cat(parts);
  }
  // Users scored together: about 16M scores per block.
  const int64_t block = factorized ? std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(n_items, 1)) : 1;
  const int64_t user_slots = ids.users().slots();
  for (size_t first = 0; first < eval_users.size(); first += static_cast<size_t>(block)) {
    const size_t last = std::min(eval_users.size(), first + static_cast<size_t>(block));
    torch::Tensor user_ids = torch::empty({static_cast<int64_t>(last - first), user_slots}, torch::kInt64);
    for (size_t j = first; j < last; ++j) {
      ids.users().encode(eval_users[j], user_ids.data_ptr<int64_t>() + (j - first) * user_slots);
    }
    torch::Tensor block_scores;  // [users in block, n_items]
    if (factorized) {
      block_scores = factorized->score(factorized->user_side(user_ids), item_side).to(torch::kDouble);
    } else {
      std::vector<torch::Tensor> parts;
      for (int64_t start = 0; start < n_items; start += options.chunk) {
        const int64_t len = std::min(options.chunk, n_items - start);
        Batch batch{{user_key, user_ids.expand({len, user_slots})}, {item_key, item_ids.narrow(0, start, len)}};
        parts.push_back(model.forward(batch).reshape({-1}).to(torch::kDouble));
      }
      block_scores = torch::cat(parts).view({1, -1});
    }
    for (size_t j = first; j < last; ++j) {
      const std::string& user = eval_users[j];
      torch::Tensor scores = block_scores[static_cast<int64_t>(j - first)].clone();
      torch::Tensor pop = popularity.clone();
      auto it = seen.find(user);
      if (it != seen.end() && !it->second.empty()) {
        torch::Tensor mask = torch::tensor(it->second, torch::kInt64);
        scores.index_fill_(0, mask, -std::numeric_limits<double>::infinity());
        pop.index_fill_(0, mask, -std::numeric_limits<double>::infinity());
      }
      const std::vector<int64_t> ranked = top_k(scores, k_max);
      model_acc.add(ranked, relevant[user]);
      popular_acc.add(top_k(pop, k_max), relevant[user]);
      if (example.is_null() && options.show > 0) {
        example = {{"user", user}, {"top", json::array()}};
        for (size_t i = 0; i < ranked.size() && static_cast<int64_t>(i) < options.show; ++i) {
          example["top"].push_back({{"item", *catalogue[ranked[i]]}, {"score", scores[ranked[i]].item<double>()},
                                    {"held_out", relevant[user].count(ranked[i]) > 0}});
        }
      }
    }
  }
  if (was_training) model.train();
  json out = {{"users", model_acc.users()}, {"items", n_items}, {"ks", options.ks},
              {"model", to_json(model_acc.values())}, {"most_popular", to_json(popular_acc.values())}};
  if (!example.is_null()) out["example"] = example;
  return out;
}

OptionSchema RankingReport::schema() {
  return {
      OptionSpec("k", OptionType::integer_list, json::array({10}), "cut-offs for HR/recall/NDCG/MAP@k").min(1),
      OptionSpec("split", OptionType::string, "auto", "held-out part to rank for: auto (test if any, else valid)")
          .choices({"auto", "valid", "test"}),
      OptionSpec("max_users", OptionType::integer, 0, "rank for a seeded sample of this many users (0: all)").min(0),
      OptionSpec("seed", OptionType::integer, 0, "seed of the user sample").min(0),
      OptionSpec("chunk", OptionType::integer, 65536, "items scored per forward pass").min(1),
      OptionSpec("show", OptionType::integer, 10, "recommendations printed for one example user").min(0),
  };
}

std::shared_ptr<RankingReport> RankingReport::create(const Options& options) {
  RankingOptions o;
  o.ks = options.integers("k");
  if (o.ks.empty()) throw options.error("k", "give at least one cut-off");
  o.split = options.string("split");
  o.max_users = options.integer("max_users");
  o.seed = static_cast<uint64_t>(options.integer("seed"));
  o.chunk = options.integer("chunk");
  o.show = options.integer("show");
  return std::make_shared<RankingReport>(o);
}

json RankingReport::run(const ReportContext& ctx) const {
  const IdsBlock* ids = nullptr;
  std::string input;
  for (const auto& bound : ctx.blocks.inputs()) {
    if ((ids = dynamic_cast<const IdsBlock*>(bound.block.get()))) {
      input = bound.key;
      break;
    }
  }
  if (!ids) throw OptionError("reports: recsys.ranking needs a recsys.ids input block");
  const bool use_test = options_.split == "test" || (options_.split == "auto" && !ctx.split.test.empty());
  const auto& eval_rows = use_test ? ctx.split.test : ctx.split.valid;
  if (eval_rows.empty()) {
    throw OptionError(std::string("reports: recsys.ranking has no ") + (use_test ? "test" : "valid") +
                      " rows to rank for; use a splitter that holds some out (e.g. recsys.leave_last_out)");
  }
  std::vector<size_t> seen = ctx.split.train;
  if (use_test) seen.insert(seen.end(), ctx.split.valid.begin(), ctx.split.valid.end());
  json out = evaluate_ranking(ctx.learner.model(), *ids, input, ctx.records, ctx.split.train, seen, eval_rows, options_);
  out["split"] = use_test ? "test" : "valid";

  auto& os = ctx.out;
  os << "recsys.ranking on " << out["split"].get<std::string>() << ": " << out["users"] << " users, " << out["items"]
     << " items (seen items excluded)\n";
  os << "  " << std::left << std::setw(14) << "" << std::setw(12) << "model" << "most popular\n";
  for (const auto& [name, value] : out["model"].items()) {
    os << "  " << std::setw(14) << name << std::setw(12) << std::setprecision(4) << value.get<double>()
       << out["most_popular"][name].get<double>() << "\n";
  }
  if (out.contains("example")) {
    os << "  top " << out["example"]["top"].size() << " for user " << out["example"]["user"].get<std::string>() << ":";
    for (const auto& rec : out["example"]["top"]) {
      os << " " << rec["item"].get<std::string>() << (rec["held_out"].get<bool>() ? "*" : "");
    }
    os << "  (* = held out)\n";
  }
  return out;
}

void register_reports(Registry& registry) {
  registry.add_report("recsys.ranking", "HR/recall/NDCG/MAP@k over all items, seen items excluded",
                      RankingReport::schema(), [](const Options& o) { return RankingReport::create(o); });
}

}  // namespace adapt::recsys
