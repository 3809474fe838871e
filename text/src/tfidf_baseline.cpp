// text.tfidf_logistic: TF-IDF over word n-grams + multinomial logistic regression, solved with
// full-batch L-BFGS on a sparse design matrix (the dense core solver would need n x d doubles).
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "adapt/data/data_blocks.h"
#include "register.h"
#include "text_rules.h"
#include "tfidf.h"

namespace adapt::text {

std::vector<std::string> TfidfVectorizer::terms(const std::string& raw) const {
  const std::string text = options_.lowercase ? lower_utf8(raw) : raw;
  // Words: runs of ASCII letters/digits, '_' and any non-ASCII byte (letters of other scripts), like
  // scikit-learn's (?u)\b\w\w+\b: single characters are dropped.
  std::vector<std::string> words;
  std::string current;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '_' || c >= 0x80) {
      current += ch;
    } else {
      if (current.size() >= 2) words.push_back(current);
      current.clear();
    }
  }
  if (current.size() >= 2) words.push_back(current);
  std::vector<std::string> out;
  if (options_.analyzer == "char_wb") {
    for (const auto& w : words) {
      const std::string padded = " " + w + " ";
      for (int64_t n = options_.ngram_min; n <= options_.ngram_max; ++n)
        for (size_t i = 0; i + static_cast<size_t>(n) <= padded.size(); ++i) out.push_back(padded.substr(i, n));
    }
    return out;
  }
  for (int64_t n = options_.ngram_min; n <= options_.ngram_max; ++n)
    for (size_t i = 0; i + static_cast<size_t>(n) <= words.size(); ++i) {
      std::string gram = words[i];
      for (int64_t k = 1; k < n; ++k) gram += " " + words[i + k];
      out.push_back(std::move(gram));
    }
  return out;
}

void TfidfVectorizer::fit(const std::vector<std::string>& texts) {
  std::map<std::string, int64_t> df;
  for (const auto& t : texts) {
    auto ts = terms(t);
    std::set<std::string> unique(ts.begin(), ts.end());
    for (const auto& term : unique) ++df[term];
  }
  std::vector<std::pair<std::string, int64_t>> kept;
  for (auto& [term, count] : df)
    if (count >= options_.min_df) kept.emplace_back(term, count);
  if (static_cast<int64_t>(kept.size()) > options_.max_features) {
    std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    kept.resize(static_cast<size_t>(options_.max_features));
    std::sort(kept.begin(), kept.end());
  }
  vocabulary_.clear();
  idf_.clear();
  const double n = static_cast<double>(texts.size());
  for (const auto& [term, count] : kept) {
    vocabulary_[term] = static_cast<int64_t>(idf_.size());
    idf_.push_back(std::log((1.0 + n) / (1.0 + static_cast<double>(count))) + 1.0);
  }
}

torch::Tensor TfidfVectorizer::transform(const std::vector<std::string>& texts) const {
  std::vector<int64_t> rows, cols;
  std::vector<double> values;
  for (size_t r = 0; r < texts.size(); ++r) {
    std::map<int64_t, double> counts;
    for (const auto& term : terms(texts[r]))
      if (auto it = vocabulary_.find(term); it != vocabulary_.end()) counts[it->second] += 1.0;
    double norm = 0.0;
    for (auto& [c, v] : counts) {
      v = (options_.sublinear_tf ? 1.0 + std::log(v) : v) * idf_[static_cast<size_t>(c)];
      norm += v * v;
    }
    norm = norm > 0 ? std::sqrt(norm) : 1.0;
    for (const auto& [c, v] : counts) {
      rows.push_back(static_cast<int64_t>(r));
      cols.push_back(c);
      values.push_back(v / norm);
    }
  }
  const auto nnz = static_cast<int64_t>(values.size());
  auto indices = torch::stack({torch::tensor(rows, torch::kLong), torch::tensor(cols, torch::kLong)});
  if (nnz == 0) indices = torch::zeros({2, 0}, torch::kLong);
  return torch::sparse_coo_tensor(indices, torch::tensor(values, torch::kDouble),
                                  {static_cast<int64_t>(texts.size()), std::max<int64_t>(1, n_features())},
                                  torch::kDouble)
      .coalesce();
}

namespace {

class TfidfLogistic : public Baseline {
 public:
  explicit TfidfLogistic(const Options& o) : c_(o.number("C")), max_iter_(o.integer("max_iter")) {
    TfidfOptions t;
    t.analyzer = o.string("analyzer");
    const auto ngrams = o.integers("ngram_range");
    if (ngrams.size() != 2 || ngrams[0] < 1 || ngrams[1] < ngrams[0])
      throw o.error("ngram_range", "must be [min, max] with 1 <= min <= max, e.g. [1, 2]");
    t.ngram_min = ngrams[0];
    t.ngram_max = ngrams[1];
    t.min_df = o.integer("min_df");
    t.max_features = o.integer("max_features");
    t.sublinear_tf = o.boolean("sublinear_tf");
    vectorizer_ = TfidfVectorizer(t);
  }

  std::string description() const override {
    return fmt::format("TF-IDF n-grams + logistic regression (C={})", c_);
  }

  void fit(const BaselineContext& ctx) override {
    if (ctx.blocks.inputs().empty()) throw Error("text.tfidf_logistic: the recipe has no input block");
    columns_ = ctx.blocks.inputs().front().block->columns();
    const auto& target = *ctx.blocks.target().block;
    n_classes_ = target.n_outputs();
    if (target.loss() != "cross_entropy" || target.classes().empty())
      throw Error("text.tfidf_logistic: needs a classification target such as core.category");
    std::vector<std::string> texts;
    std::vector<int64_t> labels;
    EncodeContext encode_ctx;
    encode_ctx.split = Split::valid;  // deterministic encoding of the labels
    for (auto row : ctx.split.train) {
      texts.push_back(text_of(ctx.records, row));
      labels.push_back(target.encode(ctx.records, row, encode_ctx).at("").item<int64_t>());
    }
    vectorizer_.fit(texts);
    auto x = vectorizer_.transform(texts);
    auto y = torch::tensor(labels, torch::kLong);
    const int64_t d = x.size(1);
    weight_ = torch::zeros({d, n_classes_}, torch::kDouble).requires_grad_(true);
    bias_ = torch::zeros({n_classes_}, torch::kDouble).requires_grad_(true);
    // scikit-learn's C: minimise sum(loss) + ||W||^2 / (2C), i.e. mean loss + ||W||^2 / (2 C n).
    const double l2 = 1.0 / (c_ * static_cast<double>(texts.size()));
    torch::optim::LBFGS optimizer({weight_, bias_}, torch::optim::LBFGSOptions(1.0)
                                                        .max_iter(max_iter_)
                                                        .tolerance_grad(1e-9)
                                                        .tolerance_change(1e-12)
                                                        .history_size(20)
                                                        .line_search_fn("strong_wolfe"));
    auto closure = [&] {
      optimizer.zero_grad();
      auto logits = torch::mm(x, weight_) + bias_;
      auto loss = torch::nll_loss(torch::log_softmax(logits, 1), y) + 0.5 * l2 * weight_.pow(2).sum();
      loss.backward();
      return loss;
    };
    optimizer.step(closure);
    weight_ = weight_.detach();
    bias_ = bias_.detach();
  }

  torch::Tensor predict(const BaselineContext& ctx, const std::vector<size_t>& rows) const override {
    std::vector<std::string> texts;
    for (auto row : rows) texts.push_back(text_of(ctx.records, row));
    auto x = vectorizer_.transform(texts);
    return torch::log_softmax(torch::mm(x, weight_) + bias_, 1).to(torch::kFloat);
  }

 private:
  std::string text_of(const Records& records, size_t row) const {
    std::string text;
    for (const auto& c : columns_) text += (text.empty() ? "" : " ") + records.at(row, c);
    return text;
  }
  double c_;
  int64_t max_iter_;
  TfidfVectorizer vectorizer_;
  std::vector<std::string> columns_;
  int64_t n_classes_ = 0;
  torch::Tensor weight_, bias_;
};

}  // namespace

void register_baselines(Registry& registry) {
  registry.add_baseline(
      "text.tfidf_logistic", "TF-IDF over word n-grams + logistic regression (L-BFGS, sparse)",
      {OptionSpec("analyzer", OptionType::string, "word", "word n-grams, or char_wb (character n-grams in words)")
           .choices({"word", "char_wb"}),
       OptionSpec("ngram_range", OptionType::integer_list, json::array({1, 2}), "[min, max] n-gram length"),
       OptionSpec("min_df", OptionType::integer, 1, "minimum training documents per term").min(1),
       OptionSpec("max_features", OptionType::integer, 100000, "most frequent terms kept").min(1),
       OptionSpec("sublinear_tf", OptionType::boolean, true, "1 + log(tf)"),
       OptionSpec("C", OptionType::number, 10.0, "inverse L2 strength, as scikit-learn's").greater_than(0),
       OptionSpec("max_iter", OptionType::integer, 200, "L-BFGS iterations").min(1)},
      [](const Options& o) { return std::make_shared<TfidfLogistic>(o); });
}

}  // namespace adapt::text
