#pragma once
// Interpretation of predictions on a split (fastai's ClassificationInterpretation): confusion
// matrix, most-confused pairs and top losses, as text tables and CSV files.
#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

struct ConfusedPair {
  std::string actual, predicted;
  int64_t count = 0;
};

struct TopLoss {
  size_t row = 0;          // index into the records
  std::string item;        // description of the raw item (may be empty)
  std::string actual;      // class name, or the value for regression
  std::string predicted;   // class name, or the value for regression
  double probability = 0;  // of the predicted class (classification; 0 for regression)
  double loss = 0;
};

class ADAPT_API Interpretation {
 public:
  // outputs: [n,C] logits or log-probabilities (classification, `classes` has C names; int64
  //          targets [n]) or [n]/[n,K] values (regression, `classes` empty; float targets).
  // losses:  per-item losses [n]; rows: the record index of each item (n of them);
  // items:   optional descriptions of each item (empty, or n of them) for the top-losses table.
  // Mismatched sizes are an adapt::Error naming them.
  Interpretation(torch::Tensor outputs, torch::Tensor targets, torch::Tensor losses, std::vector<size_t> rows,
                 std::vector<std::string> classes, std::vector<std::string> items = {});

  bool is_classification() const { return !classes_.empty(); }
  size_t size() const { return rows_.size(); }

  // int64 [C,C]: rows are actual classes, columns predicted (classification only).
  torch::Tensor confusion_matrix() const;
  // Off-diagonal cells with count >= min_count, largest first (ties by actual, then predicted name).
  std::vector<ConfusedPair> most_confused(int64_t min_count = 1) const;
  // The k items with the highest loss, highest first (ties by row).
  std::vector<TopLoss> top_losses(size_t k) const;

  std::string confusion_matrix_text() const;
  std::string most_confused_text(int64_t min_count = 1) const;
  std::string top_losses_text(size_t k) const;

  // CSV files (RFC 4180 quoting), written atomically.
  void write_confusion_matrix_csv(const std::filesystem::path& path) const;  // header: actual,<classes...>
  void write_most_confused_csv(const std::filesystem::path& path, int64_t min_count = 1) const;
  void write_top_losses_csv(const std::filesystem::path& path, size_t k) const;

 private:
  void require_classification(const char* what) const;
  torch::Tensor outputs_, targets_, losses_, predicted_;
  std::vector<size_t> rows_;
  std::vector<std::string> classes_, items_;
};

}  // namespace adapt
