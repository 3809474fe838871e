#pragma once
// core.category: one categorical column <-> a class index. The vocabulary is learned on the training
// split and sorted (numerically when every value is a number, like fastai). As a target: cross
// entropy over n_outputs() classes; decode() gives the label and every class's probability.
#include <string>
#include <unordered_map>
#include <vector>

#include "adapt/data/block.h"

namespace adapt {

struct ADAPT_API CategoryBlockOptions {
  explicit CategoryBlockOptions(std::string column) : column_(std::move(column)) {}
  CategoryBlockOptions& column(std::string value) { column_ = std::move(value); return *this; }
  // "error": a value not seen in training is a DataError; "unknown": it (and an empty value) maps
  // to index 0, "#na#".
  CategoryBlockOptions& unseen(std::string value) { unseen_ = std::move(value); return *this; }
  const std::string& column() const { return column_; }
  const std::string& unseen() const { return unseen_; }

 private:
  std::string column_;
  std::string unseen_ = "error";
};

class ADAPT_API CategoryBlock : public Block {
 public:
  static constexpr const char* unknown_label = "#na#";

  explicit CategoryBlock(CategoryBlockOptions options);

  std::vector<std::string> columns() const override { return {options_.column()}; }
  void setup(const Records& train) override;
  // {"": int64 scalar class index}
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  // Explanations: one part, "column=value", taken out as #na# (index 0).
  std::vector<InputPart> parts(const Records& records, size_t row, const TensorDict& item) const override;
  json dims() const override;  // {"n_classes": N, "vocab_size": N}
  json state() const override;  // {"vocab": [...], "unseen": "..."}
  void load_state(const json& state) override;

  std::string loss() const override { return "cross_entropy"; }
  int64_t n_outputs() const override;
  // Logits of one row -> {"label": best class, "probabilities": {class: softmax p}}.
  json decode(const torch::Tensor& output_row) const override;
  std::vector<json> decode_batch(const torch::Tensor& outputs) const override;
  std::vector<std::string> classes() const override { return vocab_; }

  // Index of a label; throws DataError naming `origin` when unseen and unseen == "error".
  int64_t index_of(const std::string& label, const std::string& origin) const;
  const std::vector<std::string>& vocab() const { return vocab_; }

 private:
  // Scores of one row (logits) -> label and probabilities; `row` holds vocab_.size() values.
  template <typename T>
  json decode_scores(const T* row) const;
  void set_vocab(std::vector<std::string> vocab);
  void require_setup(const char* what) const;

  CategoryBlockOptions options_;
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, int64_t> index_;
};

// Sorts labels numerically when all parse as finite numbers, else as strings.
ADAPT_API void sort_labels(std::vector<std::string>& labels);

}  // namespace adapt
