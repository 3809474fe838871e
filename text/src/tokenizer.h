#pragma once
// The text tokenizer shared by text.tokens and text.lm: UTF-8 check, normalisation rules (text_rules.h),
// then a SentencePiece model trained on the TRAINING texts only. Its state (the model bytes and the
// rules it was trained with) goes into the export.
#include <memory>
#include <string>
#include <vector>

#include "adapt/common/options.h"
#include "adapt/data/records.h"
#include "sentencepiece_model.h"
#include "text_rules.h"

namespace adapt::text {

struct TokenizerOptions {
  std::vector<std::string> columns{"text"};
  SentencePieceTrainOptions spm;
  TextRules rules;
  std::vector<std::string> special_tokens;
  int64_t max_chars = 20000;        // raw text cap in bytes, applied before anything else
  std::string invalid_utf8 = "error";  // or "replace"
  std::string on_empty = "error";      // or "keep"
  std::string component = "text.tokens";  // for messages

  static TokenizerOptions from(const Options& options, const std::string& component);
};

// Option specs every tokenizing block accepts.
OptionSchema tokenizer_schema();

class Tokenizer {
 public:
  explicit Tokenizer(TokenizerOptions options) : options_(std::move(options)) {}

  // Learns the SentencePiece model from the training records' texts.
  void fit(const Records& train);
  bool fitted() const { return model_ != nullptr; }

  // The normalised text of a record (columns joined with xxfld markers); `row` and the record's
  // origin appear in errors.
  std::string text_of(const Records& records, size_t row) const;
  // Raw string -> normalised text; `where` locates it for errors.
  std::string normalise(const std::string& raw, const std::string& where) const;
  // ids of the normalised text, starting with bos.
  std::vector<int64_t> encode(const std::string& normalised) const;
  std::vector<int64_t> encode_record(const Records& records, size_t row) const {
    return encode(text_of(records, row));
  }
  std::string decode(const std::vector<int64_t>& ids) const;

  const SentencePieceModel& model() const;
  int64_t vocab_size() const;
  json dims() const;
  json state() const;
  void load_state(const json& state);
  const TokenizerOptions& options() const { return options_; }

 private:
  TokenizerOptions options_;
  std::shared_ptr<const SentencePieceModel> model_;
};

}  // namespace adapt::text
