#pragma once
// text.lm: language-model windows. Each record is a contiguous piece of a stream (text.corpus packs
// lines into such chunks; a classification dataset's texts work too). Its tokens, framed by bos and
// eos, are cut into one window of seq_len tokens: the "input" role gives tokens[o, o+seq_len), the
// "target" role the same window shifted by one, padded with -100 (ignored by core.cross_entropy).
// On train the offset o is random; both roles derive it from the batch seed and the row, so they
// always agree. Use the same options for both roles: they then share one SentencePiece training.
#include "adapt/data/block.h"
#include "tokenizer.h"

namespace adapt::text {

class LanguageModelBlock : public Block {
 public:
  LanguageModelBlock(TokenizerOptions tokenizer, int64_t seq_len, bool target)
      : tokenizer_(std::move(tokenizer)), seq_len_(seq_len), target_(target) {}
  static OptionSchema schema();

  std::vector<std::string> columns() const override { return tokenizer_.options().columns; }
  void setup(const Records& train) override { tokenizer_.fit(train); }
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  TensorDict collate(const std::vector<TensorDict>& items) const override;
  bool random_on_train() const override { return true; }
  int64_t length(const Records& records, size_t row) const override;
  json dims() const override;
  json state() const override { return tokenizer_.state(); }
  void load_state(const json& state) override { tokenizer_.load_state(state); }

  // Target role.
  std::string loss() const override { return target_ ? "cross_entropy" : ""; }
  int64_t n_outputs() const override;
  json decode(const torch::Tensor& output_row) const override;

  const Tokenizer& tokenizer() const { return tokenizer_; }

 private:
  Tokenizer tokenizer_;
  int64_t seq_len_;
  bool target_;
};

}  // namespace adapt::text
