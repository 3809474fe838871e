#pragma once
// text.tokens: a text column -> SentencePiece ids (bos first), truncated to max_tokens. Collate pads
// with pad_id and adds "mask" (true on real tokens) and "lengths"; length() feeds the bucket sampler.
#include "adapt/data/block.h"
#include "tokenizer.h"

namespace adapt::text {

class TokensBlock : public Block {
 public:
  TokensBlock(TokenizerOptions tokenizer, int64_t max_tokens)
      : tokenizer_(std::move(tokenizer)), max_tokens_(max_tokens) {}
  static OptionSchema schema();

  std::vector<std::string> columns() const override { return tokenizer_.options().columns; }
  void setup(const Records& train) override { tokenizer_.fit(train); }
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  TensorDict collate(const std::vector<TensorDict>& items) const override;
  int64_t length(const Records& records, size_t row) const override;
  json dims() const override;
  json state() const override;
  void load_state(const json& state) override;
  std::string describe(const Records& records, size_t row) const override;
  json audit(const Records& records, const std::vector<size_t>& rows) const override;
  // Sanity noise: bos, then tokens drawn uniformly from the vocabulary's ordinary pieces; as many as
  // another row of the split has (lengths shuffled across rows, so length tells nothing either).
  std::vector<std::string> noise_kinds() const override { return {"random tokens"}; }
  TensorDict noise(const Records& records, size_t row, const EncodeContext& encode_ctx, const std::string& kind,
                   const NoiseContext& ctx) const override;

  // Explanations: each piece after bos deleted, named by its text ("▁" shown as a leading space).
  std::vector<InputPart> parts(const Records& records, size_t row, const TensorDict& item) const override;
  // show-batch: the pieces the model reads, each boxed ("▁" shown as a leading space).
  std::string show(const Records& records, size_t row, const TensorDict& item) const override;

  const Tokenizer& tokenizer() const { return tokenizer_; }

 private:
  std::vector<int64_t> ids(const Records& records, size_t row) const;
  Tokenizer tokenizer_;
  int64_t max_tokens_;
};

// Pads 1-D int64 tensors to the longest; returns [B, L] plus mask [B, L] and lengths [B].
TensorDict pad_sequences(const std::vector<torch::Tensor>& sequences, int64_t pad_value);

}  // namespace adapt::text
