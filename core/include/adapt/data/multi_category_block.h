#pragma once
// core.multi_category: a column holding several labels ("a;b") <-> a multi-hot float vector.
// Vocabulary learned on the training split (sorted); as a target the loss is BCE with logits and
// decode() keeps every label whose sigmoid reaches the threshold.
#include <string>
#include <unordered_map>
#include <vector>

#include "adapt/data/block.h"

namespace adapt {

struct ADAPT_API MultiCategoryBlockOptions {
  explicit MultiCategoryBlockOptions(std::string column) : column_(std::move(column)) {}
  MultiCategoryBlockOptions& column(std::string value) { column_ = std::move(value); return *this; }
  // Separates labels within the field; "tab" is accepted. Spaces around labels are stripped.
  MultiCategoryBlockOptions& delimiter(std::string value) { delimiter_ = std::move(value); return *this; }
  MultiCategoryBlockOptions& threshold(double value) { threshold_ = value; return *this; }
  // "error": a label not seen in training is a DataError; "ignore": it is dropped.
  MultiCategoryBlockOptions& unseen(std::string value) { unseen_ = std::move(value); return *this; }
  const std::string& column() const { return column_; }
  const std::string& delimiter() const { return delimiter_; }
  double threshold() const { return threshold_; }
  const std::string& unseen() const { return unseen_; }

 private:
  std::string column_;
  std::string delimiter_ = ";";
  double threshold_ = 0.5;
  std::string unseen_ = "error";
};

class ADAPT_API MultiCategoryBlock : public Block {
 public:
  explicit MultiCategoryBlock(MultiCategoryBlockOptions options);

  std::vector<std::string> columns() const override { return {options_.column()}; }
  void setup(const Records& train) override;
  // {"": float [n_labels] multi-hot}
  TensorDict encode(const Records& records, size_t row, const EncodeContext& ctx) const override;
  json dims() const override;  // {"n_classes": N}
  json state() const override;
  void load_state(const json& state) override;

  std::string loss() const override { return "bce_with_logits"; }
  int64_t n_outputs() const override;
  // {"labels": [...], "label": "a;b", "probabilities": {label: sigmoid p}}
  json decode(const torch::Tensor& output_row) const override;
  std::vector<std::string> classes() const override { return vocab_; }

  // The labels of one field, split and stripped, empty ones dropped.
  std::vector<std::string> split_labels(const std::string& field) const;

 private:
  void set_vocab(std::vector<std::string> vocab);

  MultiCategoryBlockOptions options_;
  std::string delimiter_;
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace adapt
