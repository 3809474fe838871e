// Token-level augmentations for text (training only: each reports on_valid() == false, and the
// loader never runs them on validation, test or prediction data). They work on the 1-D ids of one
// item before collate; the first token (bos) is always kept. Length-changing ones (span deletion,
// random crop) are for text.tokens inputs; text.lm windows must keep their length.
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>

#include "adapt/data/data_blocks.h"
#include "register.h"

namespace adapt::text {
namespace {

class TokenTransform : public Transform {
 public:
  TokenTransform(std::string component, const Options& o)
      : component_(std::move(component)), key_(o.string("key")), p_(o.number("p")) {}
  TransformLevel level() const override { return TransformLevel::item; }
  double p() const override { return p_; }
  void setup(const DataBlocks& blocks) override {
    const auto dims = blocks.input(key_).dims();
    if (!dims.contains("vocab_size"))
      throw OptionError(fmt::format("{}: the input \"{}\" is not a token block (its dims are {}); apply it to a "
                                    "text.tokens input",
                                    component_, key_, dims.dump()));
    unk_id_ = dims.value("unk_id", 0);
    mask_id_ = dims.value("mask_id", -1);
    if (mask_id_ < 0) mask_id_ = unk_id_;
  }
  void apply(TensorDict& data, Rng& rng) const override {
    auto it = data.find(key_);
    if (it == data.end())
      throw Error(fmt::format("{}: the item has no \"{}\" tensor; set the transform's key option", component_, key_));
    auto ids = it->second.contiguous();
    if (ids.dim() != 1 || ids.scalar_type() != torch::kLong)
      throw Error(fmt::format("{}: expects 1-D int64 token ids at \"{}\"", component_, key_));
    std::vector<int64_t> v(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
    transform(v, rng);
    it->second = torch::tensor(v, torch::kLong);
  }

 protected:
  virtual void transform(std::vector<int64_t>& ids, Rng& rng) const = 0;
  std::string component_, key_;
  double p_;
  int64_t unk_id_ = 0, mask_id_ = 0;
};

class TokenDropout : public TokenTransform {
 public:
  explicit TokenDropout(const Options& o)
      : TokenTransform("text.token_dropout", o), rate_(o.number("rate")), replace_(o.string("replace")) {}

 protected:
  void transform(std::vector<int64_t>& ids, Rng& rng) const override {
    const int64_t with = replace_ == "mask" ? mask_id_ : unk_id_;
    for (size_t i = 1; i < ids.size(); ++i)
      if (rng.bernoulli(rate_)) ids[i] = with;
  }
  double rate_;
  std::string replace_;
};

class SpanDeletion : public TokenTransform {
 public:
  explicit SpanDeletion(const Options& o) : TokenTransform("text.span_deletion", o), fraction_(o.number("max_fraction")) {}

 protected:
  void transform(std::vector<int64_t>& ids, Rng& rng) const override {
    const auto body = static_cast<int64_t>(ids.size()) - 1;
    const auto longest = static_cast<int64_t>(fraction_ * static_cast<double>(body));
    if (body < 2 || longest < 1) return;
    const int64_t span = rng.integer(1, longest + 1);
    const int64_t start = 1 + rng.integer(0, body - span + 1);
    ids.erase(ids.begin() + start, ids.begin() + start + span);
  }
  double fraction_;
};

class LocalShuffle : public TokenTransform {
 public:
  explicit LocalShuffle(const Options& o) : TokenTransform("text.local_shuffle", o), window_(o.integer("window")) {}

 protected:
  void transform(std::vector<int64_t>& ids, Rng& rng) const override {
    for (size_t start = 1; start < ids.size(); start += static_cast<size_t>(window_)) {
      const size_t end = std::min(ids.size(), start + static_cast<size_t>(window_));
      std::shuffle(ids.begin() + static_cast<std::ptrdiff_t>(start), ids.begin() + static_cast<std::ptrdiff_t>(end),
                   rng.engine());
    }
  }
  int64_t window_;
};

class RandomCrop : public TokenTransform {
 public:
  explicit RandomCrop(const Options& o) : TokenTransform("text.random_crop", o), max_tokens_(o.integer("max_tokens")) {}

 protected:
  void transform(std::vector<int64_t>& ids, Rng& rng) const override {
    if (static_cast<int64_t>(ids.size()) <= max_tokens_) return;
    const int64_t body = static_cast<int64_t>(ids.size()) - 1, keep = max_tokens_ - 1;
    const int64_t start = 1 + rng.integer(0, body - keep + 1);
    std::vector<int64_t> out{ids[0]};
    out.insert(out.end(), ids.begin() + start, ids.begin() + start + keep);
    ids = std::move(out);
  }
  int64_t max_tokens_;
};

OptionSchema with_common(OptionSchema extra) {
  OptionSchema s{OptionSpec("key", OptionType::string, "x", "batch key of the token ids"),
                 OptionSpec("p", OptionType::number, 1.0, "probability of applying to an item").min(0).max(1)};
  for (auto& spec : extra) s.push_back(std::move(spec));
  return s;
}

}  // namespace

void register_transforms(Registry& registry) {
  registry.add_transform(
      "text.token_dropout", "replace each token (not bos) with unknown or xxmask at a rate (training only)",
      with_common({OptionSpec("rate", OptionType::number, 0.1, "per-token probability").min(0).max(1),
                   OptionSpec("replace", OptionType::string, "unk", "replace with the unknown token or xxmask")
                       .choices({"unk", "mask"})}),
      [](const Options& o) { return std::make_shared<TokenDropout>(o); });
  registry.add_transform(
      "text.span_deletion", "delete one random span of tokens (training only)",
      with_common({OptionSpec("max_fraction", OptionType::number, 0.2, "longest span, as a share of the text")
                       .greater_than(0)
                       .max(1)}),
      [](const Options& o) { return std::make_shared<SpanDeletion>(o); });
  registry.add_transform(
      "text.local_shuffle", "shuffle tokens within consecutive windows (training only)",
      with_common({OptionSpec("window", OptionType::integer, 3, "window size in tokens").min(2)}),
      [](const Options& o) { return std::make_shared<LocalShuffle>(o); });
  registry.add_transform(
      "text.random_crop", "keep a random window of max_tokens tokens of long texts (training only)",
      with_common({OptionSpec("max_tokens", OptionType::integer, 256, "tokens kept, bos included").min(2)}),
      [](const Options& o) { return std::make_shared<RandomCrop>(o); });
}

}  // namespace adapt::text
