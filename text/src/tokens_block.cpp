#include "tokens_block.h"

#include "text_audit.h"

#include "adapt/data/input_parts.h"
#include "adapt/report/plot.h"

#include <fmt/format.h>

#include <algorithm>

namespace adapt::text {

OptionSchema TokensBlock::schema() {
  auto schema = tokenizer_schema();
  schema.push_back(OptionSpec("max_tokens", OptionType::integer, 512,
                              "longer texts keep their first max_tokens tokens (bos included)")
                       .min(2));
  return schema;
}

std::vector<int64_t> TokensBlock::ids(const Records& records, size_t row) const {
  auto ids = tokenizer_.encode_record(records, row);
  if (static_cast<int64_t>(ids.size()) > max_tokens_) ids.resize(static_cast<size_t>(max_tokens_));
  return ids;
}

namespace {
// A text with no tokens (on_empty "keep") is marked missing: core.fusion predicts from its other inputs.
TensorDict tokens_item(const std::vector<int64_t>& ids) {
  TensorDict item{{"", torch::tensor(ids, torch::kLong)}};
  if (ids.size() <= 1) item["missing"] = torch::tensor(true);
  return item;
}
}  // namespace

TensorDict TokensBlock::encode(const Records& records, size_t row, const EncodeContext&) const {
  return tokens_item(ids(records, row));
}

namespace {
std::string shown_piece(std::string piece) {
  for (size_t at = piece.find("\u2581"); at != std::string::npos; at = piece.find("\u2581", at)) piece.replace(at, 3, " ");
  return piece;
}
}  // namespace

std::vector<InputPart> TokensBlock::parts(const Records&, size_t, const TensorDict& item) const {
  const torch::Tensor& ids = item.at("");
  std::vector<InputPart> parts = deleted_positions(item, "", 1, ids.size(0));
  for (size_t i = 0; i < parts.size(); ++i)
    parts[i].name = shown_piece(tokenizer_.model().id_to_piece(static_cast<int>(ids[static_cast<int64_t>(i) + 1].item<int64_t>())));
  return parts;
}

std::string TokensBlock::show(const Records&, size_t, const TensorDict& item) const {
  const torch::Tensor ids = item.at("").contiguous();
  std::string html;
  for (int64_t i = 0; i < ids.size(0); ++i)
    html += "<span style=\"border:1px solid #bbb;margin:1px;padding:0 2px;white-space:pre\">" +
            xml_escape(shown_piece(tokenizer_.model().id_to_piece(static_cast<int>(ids[i].item<int64_t>())))) + "</span>";
  return html;
}

TensorDict TokensBlock::noise(const Records& records, size_t row, const EncodeContext&, const std::string&,
                              const NoiseContext& ctx) const {
  const size_t n = ids(records, ctx.shuffled_row(row, 0)).size();
  // Ids below pad_id + 1 are the specials (unk, bos, eos, pad); every other id is an ordinary piece.
  const int64_t first = SentencePieceModel::pad_id + 1, end = tokenizer_.vocab_size();
  if (end <= first) throw Error("text.tokens: the vocabulary has no ordinary pieces to draw noise from");
  Rng rng = ctx.rng(row);
  std::vector<int64_t> v(n, SentencePieceModel::bos_id);
  for (size_t i = 1; i < n; ++i) v[i] = rng.integer(first, end);
  return tokens_item(v);
}

TensorDict pad_sequences(const std::vector<torch::Tensor>& sequences, int64_t pad_value) {
  if (sequences.empty()) throw Error("text.tokens: collate got no items; a batch needs at least one");
  int64_t longest = 1;
  for (const auto& s : sequences) longest = std::max<int64_t>(longest, s.size(0));
  const auto n = static_cast<int64_t>(sequences.size());
  auto ids = torch::full({n, longest}, pad_value, torch::kLong);
  auto mask = torch::zeros({n, longest}, torch::kBool);
  auto lengths = torch::empty({n}, torch::kLong);
  auto length_data = lengths.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& s = sequences[static_cast<size_t>(i)];
    const int64_t len = s.size(0);
    ids[i].narrow(0, 0, len).copy_(s);
    mask[i].narrow(0, 0, len).fill_(true);
    length_data[i] = len;
  }
  return {{"", ids}, {"mask", mask}, {"lengths", lengths}};
}

TensorDict TokensBlock::collate(const std::vector<TensorDict>& items) const {
  std::vector<torch::Tensor> sequences;
  sequences.reserve(items.size());
  auto missing = torch::zeros({static_cast<int64_t>(items.size())}, torch::kBool);
  for (size_t i = 0; i < items.size(); ++i) {
    auto it = items[i].find("");
    if (it == items[i].end())
      throw Error(fmt::format("text.tokens: collate item {} has no token ids", i));
    sequences.push_back(it->second);
    if (items[i].count("missing")) missing[static_cast<int64_t>(i)] = true;
  }
  TensorDict batch = pad_sequences(sequences, SentencePieceModel::pad_id);
  batch["missing"] = missing;
  return batch;
}

int64_t TokensBlock::length(const Records& records, size_t row) const {
  return static_cast<int64_t>(ids(records, row).size());
}

json TokensBlock::dims() const {
  auto d = tokenizer_.dims();
  d["max_tokens"] = max_tokens_;
  return d;
}

json TokensBlock::state() const { return tokenizer_.state(); }
void TokensBlock::load_state(const json& state) { tokenizer_.load_state(state); }

std::string TokensBlock::describe(const Records& records, size_t row) const {
  std::string text;
  for (const auto& c : columns()) text += (text.empty() ? "" : " | ") + records.at(row, c);
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

json TokensBlock::audit(const Records& records, const std::vector<size_t>& rows) const {
  return audit_texts(records, columns(), rows,
                     [&](size_t row) { return tokenizer_.encode_record(records, row).size(); }, max_tokens_);
}

}  // namespace adapt::text
