#pragma once
// The protein blocks.
//   protein.sequence        residues -> token ids [<cls>] ids [<eos>] (ESM ids, alphabet.h); collate pads
//                           with <pad> and adds "mask" (true on real tokens) and "lengths".
//   protein.mlm             the same ids with masked-LM corruption: role "input" (15% of residues chosen;
//                           80% -> <mask>, 10% -> a random amino acid, 10% unchanged) or role "target"
//                           (the original id at chosen positions, -100 elsewhere).
//   protein.residue_labels  one label character per residue (e.g. DSSP H/E/C) -> class ids aligned with
//                           protein.sequence tokens, -100 on <cls>/<eos>/padding: a tagging target.
// Truncation: a sequence longer than max_len residues keeps a window of max_len residues: a random one
// on the training split, the first max_len residues elsewhere (or is an error with too_long "error").
// Every block of a row derives its window (and the masked-LM choice) from the batch seed and the row,
// so input and target blocks always agree.
#include "adapt/data/block.h"
#include "alphabet.h"

namespace adapt::protein {

struct SequenceOptions {
  std::string column = "sequence";
  int64_t max_len = 1022;  // residues; ESM's 1024 positions minus <cls> and <eos>
  std::string too_long = "crop";
  bool add_cls = true, add_eos = true;
  int64_t kmer = 1;
  InvalidPolicy invalid = InvalidPolicy::error;
  std::string role = "sequence";  // "sequence", "mlm_input", "mlm_target"
  double mask_prob = 0.15;
  // Pad every batch to max_len (+ specials) instead of its longest row: the core stacks per-token
  // outputs of all validation batches, which needs one length (masked-LM and tagging tasks).
  bool pad_to_max = false;
};

// Offset of the residue window kept for a sequence of n residues (0 unless n > max_len on train).
int64_t window_offset(int64_t n, int64_t max_len, const EncodeContext& ctx, size_t row);

class SequenceBlock : public Block {
 public:
  explicit SequenceBlock(SequenceOptions options);
  static OptionSchema schema(bool mlm);
  static SequenceOptions parse(const Options& o, const std::string& role);

  std::vector<std::string> columns() const override { return {options_.column}; }
  void setup(const Records& train) override;
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  TensorDict collate(const std::vector<TensorDict>& items) const override;
  bool random_on_train() const override { return random_on_train_ || options_.role != "sequence"; }
  int64_t length(const Records& records, size_t row) const override;
  json dims() const override;
  json state() const override;
  void load_state(const json& state) override;
  std::string describe(const Records& records, size_t row) const override;
  // Lengths, non-standard residues (X, B, U, Z, O and anything else) and sequences max_len crops,
  // for `adapt inspect`.
  json audit(const Records& records, const std::vector<size_t>& rows) const override;
  // Sanity noise (role "sequence"): residues drawn uniformly from the 20 standard amino acids.
  std::vector<std::string> noise_kinds() const override { return {"random residues"}; }
  TensorDict noise(const Records& records, size_t row, const EncodeContext& encode_ctx, const std::string& kind,
                   const NoiseContext& ctx) const override;

  // Explanations: each residue (k-mer) between <cls> and <eos> deleted, named by it and its position
  // ("K12").
  std::vector<InputPart> parts(const Records& records, size_t row, const TensorDict& item) const override;
  // show-batch: the tokens the model reads (residues, k-mers, <cls>, <mask>, ...).
  std::string show(const Records& records, size_t row, const TensorDict& item) const override;

  std::string loss() const override { return options_.role == "mlm_target" ? "cross_entropy" : ""; }
  int64_t n_outputs() const override;
  json decode(const torch::Tensor& output_row) const override;

  // Cleaned residues of a row, checked and cropped as encode() does.
  std::string residues(const Records& records, size_t row, const EncodeContext& ctx) const;
  const SequenceOptions& options() const { return options_; }

 private:
  // [<cls>] ids of `residues` [<eos>].
  std::vector<int64_t> framed(const std::string& residues) const;
  int64_t fixed_length() const { return options_.max_len + (options_.add_cls ? 1 : 0) + (options_.add_eos ? 1 : 0); }
  SequenceOptions options_;
  KmerVocabulary vocab_;
  bool random_on_train_ = false;
};

class ResidueLabelBlock : public Block {
 public:
  ResidueLabelBlock(std::string column, std::string sequence_column, int64_t max_len, bool add_cls, bool add_eos);
  static OptionSchema schema();

  std::vector<std::string> columns() const override;
  void setup(const Records& train) override;
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  TensorDict collate(const std::vector<TensorDict>& items) const override;
  bool random_on_train() const override { return random_on_train_; }
  json dims() const override;
  json state() const override;
  void load_state(const json& state) override;

  std::string loss() const override { return "cross_entropy"; }
  int64_t n_outputs() const override;
  // [T, C] logits -> {"labels": one character per residue}; rows past the sequence end are all zero
  // (the protein models zero them) and are dropped.
  json decode(const torch::Tensor& output_row) const override;
  std::vector<std::string> classes() const override;

 private:
  std::string labels(const Records& records, size_t row) const;
  std::string column_, sequence_column_;
  int64_t max_len_;
  bool add_cls_, add_eos_;
  std::string vocab_;  // sorted label characters
  bool random_on_train_ = false;
};

// Pads 1-D int64 tensors to the longest: {"": [B,L], "mask": [B,L] bool, "lengths": [B]}.
TensorDict pad_ids(const std::vector<TensorDict>& items, int64_t pad_value, const char* component,
                   int64_t fixed_length = -1);

}  // namespace adapt::protein
