#include "lm_block.h"

#include <fmt/format.h>

#include "tokens_block.h"

namespace adapt::text {

OptionSchema LanguageModelBlock::schema() {
  auto schema = tokenizer_schema();
  schema.push_back(OptionSpec("seq_len", OptionType::integer, 72, "tokens per window (fastai's bptt)").min(2));
  schema.push_back(OptionSpec("role", OptionType::string, "input",
                              "\"input\": the window; \"target\": the next token at every position")
                       .choices({"input", "target"}));
  return schema;
}

TensorDict LanguageModelBlock::encode(const Records& records, size_t row, const EncodeContext& ctx) const {
  auto ids = tokenizer_.encode_record(records, row);
  ids.push_back(SentencePieceModel::eos_id);
  const auto n = static_cast<int64_t>(ids.size());
  int64_t offset = 0;
  if (ctx.split == Split::train && ctx.rng != nullptr && n > seq_len_ + 1) {
    // Same seed for the input and the target block: both pick the same window.
    Rng window(mix_seed(ctx.rng->seed(), static_cast<uint64_t>(row)));
    offset = window.integer(0, n - seq_len_);
  }
  const int64_t shift = target_ ? 1 : 0;
  const int64_t pad = target_ ? -100 : SentencePieceModel::pad_id;
  auto out = torch::full({seq_len_}, pad, torch::kLong);
  auto data = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < seq_len_ && offset + i + shift < n; ++i) data[i] = ids[offset + i + shift];
  // A window ends one token early in the input when the target has nothing to predict there.
  if (!target_ && n - offset - 1 < seq_len_)
    for (int64_t i = std::max<int64_t>(0, n - offset - 1); i < seq_len_; ++i) data[i] = pad;
  return {{"", out}};
}

TensorDict LanguageModelBlock::collate(const std::vector<TensorDict>& items) const {
  std::vector<torch::Tensor> rows;
  for (const auto& item : items) rows.push_back(item.at(""));
  auto stacked = torch::stack(rows);
  if (target_) return {{"", stacked}};
  auto mask = stacked.ne(SentencePieceModel::pad_id);
  return {{"", stacked}, {"mask", mask}, {"lengths", mask.sum(1)}};
}

int64_t LanguageModelBlock::length(const Records&, size_t) const { return seq_len_; }

json LanguageModelBlock::dims() const {
  auto d = tokenizer_.dims();
  d["seq_len"] = seq_len_;
  return d;
}

int64_t LanguageModelBlock::n_outputs() const {
  if (!target_)
    throw Error("text.lm: only a block with role \"target\" can be the recipe's target");
  return tokenizer_.vocab_size();
}

json LanguageModelBlock::decode(const torch::Tensor& output_row) const {
  // [T, V] logits -> the most likely next token after the last position.
  auto logits = output_row.dim() == 2 ? output_row[-1] : output_row;
  auto probs = torch::softmax(logits.to(torch::kFloat), 0);
  auto top = probs.topk(std::min<int64_t>(5, probs.size(0)));
  json next = json::array();
  auto values = std::get<0>(top), indices = std::get<1>(top);
  for (int64_t i = 0; i < values.size(0); ++i) {
    const int id = static_cast<int>(indices[i].item<int64_t>());
    next.push_back({{"token", tokenizer_.model().id_to_piece(id)}, {"probability", values[i].item<double>()}});
  }
  return {{"next", next}};
}

}  // namespace adapt::text
