#pragma once
// A trained SentencePiece model, reached through the isolated shim (shim/adapt_text_spm.h).
// Immutable after construction; encode/decode are thread-safe (loader workers share one model).
#include <memory>
#include <string>
#include <vector>

struct adapt_spm_model;

namespace adapt::text {

struct SentencePieceTrainOptions {
  std::string model_type = "unigram";  // "unigram" or "bpe"
  int64_t vocab_size = 8000;
  double character_coverage = 0.9995;
  std::vector<std::string> user_symbols;  // atomic pieces (special tokens, normalisation markers)
  int64_t max_sentence_length = 16384;    // bytes; longer training sentences are skipped by SPM
  // No seed: with every sentence used, no shuffling and one thread, training is deterministic.
};

class SentencePieceModel {
 public:
  // Ids of the control pieces every adapt-trained model has.
  static constexpr int unk_id = 0, bos_id = 1, eos_id = 2, pad_id = 3;

  // Trains on `sentences` (the TRAINING texts only). Throws adapt::Error with SentencePiece's message.
  static std::shared_ptr<SentencePieceModel> train(const std::vector<std::string>& sentences,
                                                   const SentencePieceTrainOptions& options);
  // Loads serialized model bytes (from train() or an export).
  static std::shared_ptr<SentencePieceModel> load(const std::string& bytes);

  ~SentencePieceModel();
  SentencePieceModel(const SentencePieceModel&) = delete;
  SentencePieceModel& operator=(const SentencePieceModel&) = delete;

  std::vector<int> encode(const std::string& text) const;
  std::vector<std::string> encode_pieces(const std::string& text) const;
  std::string decode(const std::vector<int>& ids) const;
  int vocab_size() const;
  int piece_to_id(const std::string& piece) const;  // -1 when absent
  std::string id_to_piece(int id) const;
  const std::string& bytes() const { return bytes_; }

 private:
  SentencePieceModel(std::string bytes, adapt_spm_model* handle);
  std::string bytes_;
  adapt_spm_model* handle_;
};

// Path of the shim library the plugin opens (for diagnostics).
std::string sentencepiece_shim_path();

}  // namespace adapt::text
