#include "negative_sampling.h"

#include <torch/torch.h>

#include <adapt/data/data_blocks.h>

#include "ids_block.h"

namespace adapt::recsys {

NegativeSampling::NegativeSampling(Settings settings) : s_(std::move(settings)) {}

OptionSchema NegativeSampling::schema() {
  return {
      OptionSpec("n_negatives", OptionType::integer, 4, "sampled negatives per positive").min(1),
      OptionSpec("distribution", OptionType::string, "uniform", "uniform over items, or by popularity")
          .choices({"uniform", "popularity"}),
      OptionSpec("alpha", OptionType::number, 0.75, "popularity: sample by count^alpha").min(0),
      OptionSpec("input", OptionType::string, "x", "batch key of the recsys.ids block"),
      OptionSpec("target", OptionType::string, "y", "batch key of the target"),
  };
}

std::shared_ptr<NegativeSampling> NegativeSampling::create(const Options& options) {
  Settings s;
  s.n_negatives = options.integer("n_negatives");
  s.distribution = options.string("distribution");
  s.alpha = options.number("alpha");
  s.input = options.string("input");
  s.target = options.string("target");
  return std::make_shared<NegativeSampling>(s);
}

void NegativeSampling::setup(const DataBlocks& blocks) {
  const auto* ids = dynamic_cast<const IdsBlock*>(&blocks.input(s_.input));
  if (!ids) {
    throw OptionError("recsys.negative_sampling: the input block \"" + s_.input +
                      "\" is not recsys.ids; set input to the key of the recsys.ids block");
  }
  if (!ids->train_items().defined() || ids->train_items().size(0) == 0) {
    throw Error("recsys.negative_sampling: the recsys.ids block has no training items (it was loaded from an "
                "export, or the training split is empty); negatives are drawn from the training items");
  }
  set_candidates(ids->train_items(), ids->train_item_counts());
}

void NegativeSampling::set_candidates(torch::Tensor items, torch::Tensor counts) {
  items_ = std::move(items);
  if (s_.distribution == "popularity") {
    torch::Tensor w = counts.to(torch::kDouble).pow(s_.alpha);
    cdf_ = (w / w.sum()).cumsum(0);
  }
}

void NegativeSampling::apply(TensorDict& batch, Rng& rng) const {
  TORCH_CHECK(items_.defined(), "recsys.negative_sampling: setup() was not called");
  const std::string item_key = s_.input + ".item";
  const int64_t b = get(batch, item_key).size(0);
  const int64_t m = b * s_.n_negatives;
  torch::Tensor picks;
  if (s_.distribution == "popularity") {
    picks = torch::searchsorted(cdf_, torch::rand({m}, rng.generator(), torch::kDouble));
    picks.clamp_max_(items_.size(0) - 1);  // rounding at the top of the cdf
  } else {
    picks = torch::randint(items_.size(0), {m}, rng.generator(), torch::kInt64);
  }
  // Every tensor of the batch grows to b + m rows: negatives copy their positive's row (user, ...).
  torch::Tensor source = torch::arange(b).repeat_interleave(s_.n_negatives);
  torch::Tensor index = torch::cat({torch::arange(b), source});
  for (auto& [key, tensor] : batch) {
    if (tensor.dim() > 0 && tensor.size(0) == b) tensor = tensor.index_select(0, index);
  }
  batch[item_key].narrow(0, b, m).copy_(items_.index_select(0, picks));
  auto target = batch.find(s_.target);
  if (target != batch.end()) target->second.narrow(0, b, m).zero_();
}

}  // namespace adapt::recsys
