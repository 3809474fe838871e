// sanity_check: the recipe on a short budget three ways (real, shuffled training labels, noise
// inputs: one run per kind of noise the input blocks offer), each judged on validation against the
// constant baseline.
#include "adapt/run/sanity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "adapt/baseline/core_baselines.h"
#include "adapt/data/transform.h"
#include "adapt/run/stages.h"

namespace adapt {
namespace {

// Replaces every input with the noise its block makes (Block::noise, docs/recipes.md#sanity-runs):
// the run's `variant`-th kind of each block (its last kind when it has fewer). On every split, so the
// network never sees a real input. Items carry their record's "row"; the split is the one holding that row.
class NoiseInputs : public Transform {
 public:
  NoiseInputs(const RunState& state, size_t variant) : records_(state.records) {
    for (const auto& bound : state.blocks->inputs()) {
      const auto kinds = bound.block->noise_kinds();
      if (kinds.empty()) throw Error("sanity: input block \"" + bound.key + "\" offers no kind of noise");
      inputs_.push_back({bound.key, bound.block, kinds[std::min(variant, kinds.size() - 1)], NoiseContext{}});
    }
    for (const auto* rows : {&state.split.train, &state.split.valid, &state.split.test}) {
      splits_.push_back(*rows);
      std::sort(splits_.back().begin(), splits_.back().end());
    }
    const auto ranges = integer_ranges(state);
    for (auto& input : inputs_) {
      input.ctx.seed = mix_seed(state.seed, 0x9015e);
      const std::string prefix = input.key + ".";
      for (const auto& [key, range] : ranges) {
        if (key == input.key) input.ctx.integer_ranges[""] = range;
        else if (key.rfind(prefix, 0) == 0) input.ctx.integer_ranges[key.substr(prefix.size())] = range;
      }
    }
  }
  TransformLevel level() const override { return TransformLevel::item; }
  bool on_valid() const override { return true; }
  void apply(TensorDict& data, Rng&) const override {
    const auto row = static_cast<size_t>(get(data, "row").item<int64_t>());
    const size_t split = split_of(row);
    EncodeContext encode_ctx;
    encode_ctx.split = split == 0 ? Split::train : split == 1 ? Split::valid : Split::test;
    for (const auto& input : inputs_) {
      NoiseContext ctx = input.ctx;
      ctx.split_rows = &splits_[split];
      Rng rng = ctx.rng(row, 1);  // a random crop on train: a function of (seed, row) too
      encode_ctx.rng = &rng;
      for (auto it = data.begin(); it != data.end();)  // the real tensors go, noise comes
        it = it->first == input.key || it->first.rfind(input.key + ".", 0) == 0 ? data.erase(it) : std::next(it);
      for (auto& [suffix, t] : input.block->noise(*records_, row, encode_ctx, input.kind, ctx))
        data[suffix.empty() ? input.key : input.key + "." + suffix] = std::move(t);
    }
  }
  // The kind of noise each input gets, by key.
  json kinds() const {
    json out = json::object();
    for (const auto& input : inputs_) out[input.key] = input.kind;
    return out;
  }

 private:
  struct Input {
    std::string key;
    std::shared_ptr<Block> block;
    std::string kind;
    NoiseContext ctx;
  };
  size_t split_of(size_t row) const {  // 0 train, 1 valid, 2 test
    for (size_t i = 0; i < splits_.size(); ++i)
      if (std::binary_search(splits_[i].begin(), splits_[i].end(), row)) return i;
    throw Error("sanity: row " + std::to_string(row) + " is in no split");
  }
  // Integer ranges of each input tensor (full batch keys) over (up to 512 of) the training rows.
  static std::map<std::string, std::pair<int64_t, int64_t>> integer_ranges(const RunState& state) {
    std::map<std::string, std::pair<int64_t, int64_t>> ranges;
    EncodeContext ctx;
    ctx.split = Split::valid;
    const auto& rows = state.split.train;
    for (size_t i = 0; i < rows.size() && i < 512; ++i)
      for (const auto& [key, t] : state.blocks->encode(*state.records, rows[i], ctx, false)) {
        if (t.is_floating_point() || t.numel() == 0 || is_auxiliary_key(key) || t.scalar_type() == torch::kBool)
          continue;
        const int64_t lo = t.min().item<int64_t>(), hi = t.max().item<int64_t>();
        auto [it, fresh] = ranges.emplace(key, std::make_pair(lo, hi));
        if (!fresh) it->second = {std::min(it->second.first, lo), std::max(it->second.second, hi)};
      }
    return ranges;
  }

  std::shared_ptr<const Records> records_;
  std::vector<Input> inputs_;
  std::vector<std::vector<size_t>> splits_;
};

// The same records with the target columns of the training rows permuted among those rows.
std::shared_ptr<const Records> shuffle_training_labels(const RunState& state, const std::vector<std::string>& target) {
  const Records& in = *state.records;
  std::vector<size_t> from = state.split.train;
  std::mt19937_64 engine(mix_seed(state.seed, 0x5a417));
  std::shuffle(from.begin(), from.end(), engine);
  std::vector<size_t> source(in.size());
  for (size_t r = 0; r < in.size(); ++r) source[r] = r;
  for (size_t i = 0; i < from.size(); ++i) source[state.split.train[i]] = from[i];
  auto out = std::make_shared<Records>(in.column_names(), in.source());
  std::vector<bool> is_target(in.column_names().size(), false);
  for (const auto& c : target) is_target[in.column_index(c)] = true;
  for (size_t r = 0; r < in.size(); ++r) {
    std::vector<std::string> fields;
    for (size_t c = 0; c < is_target.size(); ++c) fields.push_back(in.at(is_target[c] ? source[r] : r, c));
    out->add_row(std::move(fields), in.origin(r));
  }
  return out;
}

// A refit recipe has no validation part: a fifth of its training rows (seeded) judge the sanity runs
// instead. The test part stays untouched.
void carve_validation(RunState& state) {
  std::vector<size_t>& train = state.split.train;
  std::mt19937_64 engine(mix_seed(state.seed, 0xca47e));
  std::shuffle(train.begin(), train.end(), engine);
  const size_t n_valid = std::max<size_t>(1, train.size() / 5);
  state.split.valid.assign(train.end() - static_cast<std::ptrdiff_t>(n_valid), train.end());
  train.resize(train.size() - n_valid);
  std::sort(train.begin(), train.end());
  std::sort(state.split.valid.begin(), state.split.valid.end());
}

enum class Variant { real, shuffled_labels, noise_inputs };

json short_budget(json recipe, int64_t max_epochs) {
  json& train = recipe["train"];
  auto cap = [&](json& phase) {
    if (phase.contains("epochs") && phase["epochs"].is_number_integer())
      phase["epochs"] = std::min(phase["epochs"].get<int64_t>(), max_epochs);
    phase.erase("early_stopping");
  };
  if (train.contains("phases"))
    for (auto& p : train["phases"]) cap(p);
  else
    cap(train);
  train.erase("checkpoint");
  recipe.erase("sanity");
  recipe.erase("slices");
  return recipe;
}

struct Scored {
  double network, chance;
  std::string metric;
  bool higher;
  size_t valid_rows;
  bool carved;  // the validation rows were carved from the training rows
  json noise;    // noise runs: the kind of noise of each input, by key
  size_t noise_variants = 1;  // the most kinds of noise an input block offers: the number of noise runs
};

Scored train_variant(const json& recipe, const Registry& registry, Variant variant, size_t noise_variant = 0) {
  std::ostringstream log;
  RunContext ctx(quiet_run_options(log));
  RunState state = resolve_defaults(recipe, registry, ctx);
  read_and_split(state, registry, ctx);
  const bool carved = state.split.valid.empty();
  if (carved) carve_validation(state);
  if (variant == Variant::shuffled_labels) {
    auto target = build_blocks(state.recipe, registry)->target().block->columns();
    state.records = shuffle_training_labels(state, target);
  }
  setup_blocks(state, registry, ctx);
  json noise;
  size_t noise_variants = 1;
  for (const auto& bound : state.blocks->inputs())
    noise_variants = std::max(noise_variants, bound.block->noise_kinds().size());
  if (variant == Variant::noise_inputs) {
    auto transform = std::make_shared<NoiseInputs>(state, noise_variant);
    noise = transform->kinds();
    state.transforms.push_back(std::move(transform));
  }
  build_learner(state, registry, ctx);
  fit_phases(state, ctx);
  const json valid = state.learner->validate(Split::valid);
  ConstantBaseline constant;
  const json chance = score_baseline(constant, "constant", state, registry, ctx, false);
  const std::string& key = state.result.primary_metric;
  return {valid.value(key, NAN), chance.is_null() ? NAN : chance["valid"].value(key, NAN), key, state.primary_higher,
          state.split.valid.size(), carved, noise, noise_variants};
}

// "x: silence, y: random tokens", for the report.
std::string noise_name(const json& kinds) {
  std::string out;
  for (const auto& [key, kind] : kinds.items()) out += (out.empty() ? "" : ", ") + key + ": " + kind.get<std::string>();
  return out;
}

}  // namespace

json sanity_check(const json& recipe_in, const Registry& registry, const SanityOptions& options) {
  std::ostream& out = options.out ? *options.out : std::cout;
  validate_recipe(recipe_in, registry);
  const json recipe = short_budget(recipe_in, options.max_epochs);
  out << "sanity: training on a short budget (at most " << options.max_epochs << " epochs per phase)\n" << std::flush;
  const Scored shuffled = train_variant(recipe, registry, Variant::shuffled_labels);
  out << "  shuffled training labels: done\n" << std::flush;
  std::vector<Scored> noise_runs;
  for (size_t v = 0; v == 0 || v < noise_runs.front().noise_variants; ++v) {
    noise_runs.push_back(train_variant(recipe, registry, Variant::noise_inputs, v));
    out << "  inputs replaced by noise (" << noise_name(noise_runs.back().noise) << "): done\n" << std::flush;
  }
  const double real = options.train_real ? train_variant(recipe, registry, Variant::real).network : options.real_score;

  const std::string& key = shuffled.metric;
  const bool higher = shuffled.higher;
  const double chance = shuffled.chance;
  if (!std::isfinite(chance))
    throw Error("sanity: the constant baseline gives no " + key + " for this target, so chance is unknown; sanity "
                "runs apply to class, multi-label and regression targets");
  // Scores that grow (accuracy, MCC, AUROC, ... all bounded) by the sampling error of the validation
  // rows; errors that shrink (RMSE, MAE, the loss) relative to chance.
  const double tolerance = higher ? std::max(options.tolerance, 3.0 / std::sqrt(double(shuffled.valid_rows)))
                                  : options.tolerance * std::fabs(chance);
  auto beyond_chance = [&](double v) { return higher ? v > chance + tolerance : v < chance - tolerance; };
  json findings = json::array();
  bool passed = true;
  if (beyond_chance(shuffled.network)) {
    passed = false;
    findings.push_back(fmt::format("FAIL: trained on shuffled labels the network scores {} {:.4f} on valid, beyond "
                                   "chance ({:.4f} +- {:.4f}): the validation labels reach training somehow (rows "
                                   "shared between the parts, labels in the inputs, a metric on the wrong rows)",
                                   key, shuffled.network, chance, tolerance));
  }
  json noise_json = json::array();
  const Scored* noise = &noise_runs.front();  // the noise run that scores best
  for (const Scored& run : noise_runs) {
    noise_json.push_back({{"noise", run.noise}, {"score", run.network}});
    if (higher ? run.network > noise->network : run.network < noise->network) noise = &run;
    if (!beyond_chance(run.network)) continue;
    passed = false;
    findings.push_back(fmt::format("FAIL: fed only noise ({}) the network scores {} {:.4f} on valid, beyond chance "
                                   "({:.4f} +- {:.4f}): something other than the inputs carries the labels",
                                   noise_name(run.noise), key, run.network, chance, tolerance));
  }
  if (!(higher ? real > noise->network + tolerance : real < noise->network - tolerance))
    findings.push_back(fmt::format("the real model ({} {:.4f}) is no better than its noise run ({}: {:.4f}): it has "
                                   "not learned from its inputs on this budget",
                                   key, real, noise_name(noise->noise), noise->network));
  json result = {{"metric", key},
                 {"higher_is_better", higher},
                 {"chance", chance},
                 {"tolerance", tolerance},
                 {"max_epochs", options.max_epochs},
                 {"validation", shuffled.carved ? "a fifth of the training rows (the recipe has no validation part)"
                                                : "the recipe's validation part"},
                 {"real", real},
                 {"shuffled_labels", shuffled.network},
                 {"noise_inputs", noise->network},
                 {"noise_runs", noise_json},
                 {"findings", findings},
                 {"passed", passed}};
  out << fmt::format("sanity on {} (valid; chance = the constant baseline {:.4f}, tolerance {:.4f}):\n", key, chance,
                     tolerance)
      << fmt::format("  real {:.4f}   shuffled labels {:.4f}", real, shuffled.network);
  for (const Scored& run : noise_runs) out << fmt::format("   noise ({}) {:.4f}", noise_name(run.noise), run.network);
  out << "\n";
  for (const auto& f : findings) out << "  " << f.get<std::string>() << "\n";
  if (findings.empty())
    out << "  passed: the shuffled-label and noise runs stay at chance and the real model beats its noise runs\n";
  out << std::flush;
  return result;
}

}  // namespace adapt
