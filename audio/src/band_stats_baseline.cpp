#include "band_stats_baseline.h"

#include <memory>

#include "feature_block.h"
#include "register.h"

namespace adapt::audio {

OptionSchema BandStatsBaseline::schema() {
  return {OptionSpec("key", OptionType::string, "x", "batch key of the audio block"),
          OptionSpec("whole_clip", OptionType::boolean, true,
                     "statistics over the whole recording (true) or the fixed-length crop the CNN sees"),
          OptionSpec("l2", OptionType::number, 1e-3, "L2 penalty of the logistic regression").min(0),
          OptionSpec("max_iter", OptionType::integer, 300, "L-BFGS iterations").min(1)};
}

namespace {
LogisticRegressionOptions lr_options(const Options& o) {
  LogisticRegressionOptions lr;
  lr.l2 = o.number("l2");
  lr.max_iter = o.integer("max_iter");
  return lr;
}
}  // namespace

BandStatsBaseline::BandStatsBaseline(const Options& o)
    : key_(o.string("key")), whole_clip_(o.boolean("whole_clip")), model_(lr_options(o)) {}

std::string BandStatsBaseline::description() const {
  return "logistic regression on per-band mean and std of the log-mel";
}

const FeatureBlock& BandStatsBaseline::block(const BaselineContext& ctx) const {
  for (const auto& bound : ctx.blocks.inputs())
    if (bound.key == key_) {
      if (auto* b = dynamic_cast<const FeatureBlock*>(bound.block.get())) return *b;
      throw OptionError("baselines: audio.band_stats needs an audio block at key '" + key_ + "'");
    }
  throw OptionError("baselines: audio.band_stats: no input block has key '" + key_ + "'");
}

torch::Tensor BandStatsBaseline::features(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
  const FeatureBlock& b = block(ctx);
  const int64_t bins = b.extractor().n_bins();
  auto out = torch::empty({static_cast<int64_t>(rows.size()), 2 * bins}, torch::kFloat64);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto f = b.raw_features(ctx.records, rows[i], whole_clip_).to(torch::kFloat64);
    out[static_cast<int64_t>(i)].narrow(0, 0, bins).copy_(f.mean(1));
    out[static_cast<int64_t>(i)].narrow(0, bins, bins).copy_(f.size(1) > 1 ? f.std(1) : torch::zeros({bins}));
  }
  return out;
}

void BandStatsBaseline::fit(const BaselineContext& ctx) {
  const auto& target = ctx.blocks.target();
  if (!target.block || target.block->loss() != "cross_entropy")
    throw OptionError("baselines: audio.band_stats needs a classification target (e.g. core.category)");
  if (ctx.split.train.empty()) throw Error("audio.band_stats: the training split is empty");
  auto x = features(ctx, ctx.split.train);
  std::vector<torch::Tensor> labels;
  EncodeContext enc;
  enc.split = Split::valid;
  for (size_t row : ctx.split.train) labels.push_back(target.block->encode(ctx.records, row, enc).at("").reshape({}));
  model_.fit(x, torch::stack(labels).to(torch::kLong), target.block->n_outputs());
}

torch::Tensor BandStatsBaseline::predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const {
  if (!model_.fitted()) throw Error("audio.band_stats: predict() before fit()");
  if (rows.empty()) return torch::empty({0, model_.n_classes()}, torch::kFloat32);
  return model_.predict_log_proba(features(ctx, rows)).to(torch::kFloat32);
}

void register_baselines(Registry& registry) {
  registry.add_baseline("audio.band_stats", "logistic regression on per-band mean and std of the log-mel",
                        BandStatsBaseline::schema(),
                        [](const Options& o) { return std::make_shared<BandStatsBaseline>(o); });
}

}  // namespace adapt::audio
