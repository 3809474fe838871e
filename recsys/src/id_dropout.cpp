#include "id_dropout.h"

#include <torch/torch.h>

#include "negative_sampling.h"
#include "register.h"

namespace adapt::recsys {

IdDropout::IdDropout(std::vector<std::string> keys, std::vector<double> rates)
    : keys_(std::move(keys)), rates_(std::move(rates)) {}

OptionSchema IdDropout::schema() {
  return {
      OptionSpec("user_rate", OptionType::number, 0.02, "fraction of rows whose user id becomes unknown").min(0).max(1),
      OptionSpec("item_rate", OptionType::number, 0.02, "fraction of rows whose item id becomes unknown").min(0).max(1),
      OptionSpec("input", OptionType::string, "x", "batch key of the recsys.ids block"),
  };
}

std::shared_ptr<IdDropout> IdDropout::create(const Options& options) {
  const std::string input = options.string("input");
  return std::make_shared<IdDropout>(std::vector<std::string>{input + ".user", input + ".item"},
                                     std::vector<double>{options.number("user_rate"), options.number("item_rate")});
}

void IdDropout::apply(TensorDict& batch, Rng& rng) const {
  for (size_t k = 0; k < keys_.size(); ++k) {
    if (rates_[k] <= 0) continue;
    torch::Tensor ids = get(batch, keys_[k]);
    torch::Tensor drop = torch::rand({ids.size(0)}, rng.generator()) < rates_[k];
    // A new tensor: the loader may share the encoded rows between batches.
    batch[keys_[k]] = ids.masked_fill(drop.view({-1, 1}).expand_as(ids), 0);
  }
}

// Every recsys transform, negative sampling included, so the kind has one registration function.
void register_transforms(Registry& registry) {
  registry.add_transform("recsys.id_dropout", "replaces ids by the unknown id at a rate (teaches cold start)",
                         IdDropout::schema(), [](const Options& o) { return IdDropout::create(o); });
  registry.add_transform("recsys.negative_sampling", "appends sampled negative items (uniform or by popularity)",
                         NegativeSampling::schema(), [](const Options& o) { return NegativeSampling::create(o); });
}

}  // namespace adapt::recsys
