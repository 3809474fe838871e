#include "adapt/data/multi_category_block.h"

#include <algorithm>
#include <set>

#include "adapt/data/category_block.h"
#include "adapt/data/csv.h"

namespace adapt {

namespace {
std::string strip(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}
}  // namespace

MultiCategoryBlock::MultiCategoryBlock(MultiCategoryBlockOptions options) : options_(std::move(options)) {
  if (options_.column().empty()) {
    throw OptionError("core.multi_category.column: give the column holding the labels");
  }
  delimiter_ = options_.delimiter() == "tab" ? std::string("\t") : options_.delimiter();
  if (delimiter_.empty()) throw OptionError("core.multi_category.delimiter: must not be empty");
  if (!(options_.threshold() > 0.0 && options_.threshold() < 1.0)) {
    throw OptionError("core.multi_category.threshold: must be in (0, 1), got " + std::to_string(options_.threshold()));
  }
  if (options_.unseen() != "error" && options_.unseen() != "ignore") {
    throw OptionError("core.multi_category.unseen: must be \"error\" or \"ignore\", got \"" + options_.unseen() + "\"");
  }
}

std::vector<std::string> MultiCategoryBlock::split_labels(const std::string& field) const {
  std::vector<std::string> out;
  size_t begin = 0;
  for (;;) {
    const size_t end = field.find(delimiter_, begin);
    std::string label = strip(field.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (!label.empty()) out.push_back(std::move(label));
    if (end == std::string::npos) break;
    begin = end + delimiter_.size();
  }
  return out;
}

void MultiCategoryBlock::set_vocab(std::vector<std::string> vocab) {
  vocab_ = std::move(vocab);
  index_.clear();
  for (size_t i = 0; i < vocab_.size(); ++i) index_.emplace(vocab_[i], static_cast<int64_t>(i));
}

void MultiCategoryBlock::setup(const Records& train) {
  std::set<std::string> seen;
  for (const auto& field : train.column(options_.column())) {
    for (auto& label : split_labels(field)) seen.insert(std::move(label));
  }
  std::vector<std::string> vocab(seen.begin(), seen.end());
  sort_labels(vocab);
  if (vocab.empty()) {
    throw DataError("core.multi_category: column \"" + options_.column() + "\" of the training split of '" +
                    train.source() + "' holds no labels (delimiter \"" + options_.delimiter() + "\")");
  }
  set_vocab(std::move(vocab));
}

TensorDict MultiCategoryBlock::encode(const Records& records, size_t row, const EncodeContext&) const {
  if (vocab_.empty()) throw Error("core.multi_category: encode before setup() or load_state()");
  torch::Tensor hot = torch::zeros({static_cast<int64_t>(vocab_.size())}, torch::kFloat32);
  float* data = hot.data_ptr<float>();
  for (const auto& label : split_labels(records.at(row, options_.column()))) {
    auto it = index_.find(label);
    if (it != index_.end()) {
      data[it->second] = 1.0f;
    } else if (options_.unseen() == "error") {
      throw DataError("core.multi_category: " + records.origin(row) + ": column \"" + options_.column() +
                      "\" has label \"" + label +
                      "\", which the training split does not contain; fix the data or set unseen: \"ignore\"");
    }
  }
  return {{"", hot}};
}

// As an input (genres of a movie, tags of a post) the multi-hot vector is n_classes float features.
json MultiCategoryBlock::dims() const {
  const auto n = static_cast<int64_t>(vocab_.size());
  return {{"n_classes", n}, {"n_features", n}};
}

json MultiCategoryBlock::state() const {
  return {{"vocab", vocab_}, {"delimiter", options_.delimiter()}, {"threshold", options_.threshold()}};
}

void MultiCategoryBlock::load_state(const json& state) {
  if (!state.is_object() || !state.contains("vocab") || !state["vocab"].is_array() || state["vocab"].empty()) {
    throw DataError("core.multi_category: saved state must be {\"vocab\": [non-empty list of strings], ...}, got " +
                    state.dump().substr(0, 200));
  }
  std::vector<std::string> vocab;
  for (const auto& v : state["vocab"]) {
    if (!v.is_string()) throw DataError("core.multi_category: saved vocab holds a non-string value " + v.dump());
    vocab.push_back(v.get<std::string>());
  }
  if (state.contains("threshold") && state["threshold"].is_number()) options_.threshold(state["threshold"].get<double>());
  if (state.contains("delimiter") && state["delimiter"].is_string()) {
    options_.delimiter(state["delimiter"].get<std::string>());
    delimiter_ = options_.delimiter() == "tab" ? std::string("\t") : options_.delimiter();
  }
  set_vocab(std::move(vocab));
}

int64_t MultiCategoryBlock::n_outputs() const {
  if (vocab_.empty()) throw Error("core.multi_category: n_outputs() before setup() or load_state()");
  return static_cast<int64_t>(vocab_.size());
}

json MultiCategoryBlock::decode(const torch::Tensor& output_row) const {
  const torch::Tensor logits = output_row.detach().to(torch::kCPU, torch::kDouble).reshape({-1});
  if (logits.numel() != static_cast<int64_t>(vocab_.size())) {
    throw Error("core.multi_category: decode got " + std::to_string(logits.numel()) + " outputs but there are " +
                std::to_string(vocab_.size()) + " labels; the model's output width must equal n_outputs()");
  }
  const torch::Tensor p = torch::sigmoid(logits);
  const double* data = p.data_ptr<double>();
  json probabilities = json::object();
  json labels = json::array();
  std::string joined;
  for (size_t i = 0; i < vocab_.size(); ++i) {
    probabilities[vocab_[i]] = data[i];
    if (data[i] >= options_.threshold()) {
      labels.push_back(vocab_[i]);
      joined += (joined.empty() ? "" : delimiter_) + vocab_[i];
    }
  }
  return {{"labels", labels}, {"label", joined}, {"probabilities", probabilities}};
}

}  // namespace adapt
