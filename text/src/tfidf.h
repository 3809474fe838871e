#pragma once
// TF-IDF features over word n-grams (or character n-grams within words), as scikit-learn's
// TfidfVectorizer with sublinear_tf, smooth_idf and l2-normalised rows. Fitted on training texts only.
#include <torch/types.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace adapt::text {

struct TfidfOptions {
  std::string analyzer = "word";  // "word" or "char_wb"
  int64_t ngram_min = 1, ngram_max = 2;
  int64_t min_df = 1;             // documents a term must appear in
  int64_t max_features = 100000;  // most frequent terms kept
  bool sublinear_tf = true;
  bool lowercase = true;
};

class TfidfVectorizer {
 public:
  explicit TfidfVectorizer(TfidfOptions options = {}) : options_(std::move(options)) {}
  void fit(const std::vector<std::string>& texts);
  // Sparse COO double [n, n_features], rows l2-normalised.
  torch::Tensor transform(const std::vector<std::string>& texts) const;
  int64_t n_features() const { return static_cast<int64_t>(vocabulary_.size()); }
  std::vector<std::string> terms(const std::string& text) const;  // the analyzer, for tests

 private:
  TfidfOptions options_;
  std::unordered_map<std::string, int64_t> vocabulary_;
  std::vector<double> idf_;
};

}  // namespace adapt::text
