#include "adapt/data/category_block.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace adapt {

namespace {

bool as_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return *end == '\0' && std::isfinite(out);
}

std::string preview(const std::vector<std::string>& vocab) {
  std::string out;
  for (size_t i = 0; i < vocab.size() && i < 20; ++i) out += (i ? ", " : "") + ("\"" + vocab[i] + "\"");
  if (vocab.size() > 20) out += ", ... (" + std::to_string(vocab.size()) + " in all)";
  return out;
}

}  // namespace

void sort_labels(std::vector<std::string>& labels) {
  std::vector<double> values(labels.size());
  bool numeric = true;
  for (size_t i = 0; i < labels.size() && numeric; ++i) numeric = as_number(labels[i], values[i]);
  if (numeric) {
    std::vector<size_t> order(labels.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return values[a] < values[b] || (values[a] == values[b] && labels[a] < labels[b]);
    });
    std::vector<std::string> sorted;
    for (size_t i : order) sorted.push_back(labels[i]);
    labels = std::move(sorted);
  } else {
    std::sort(labels.begin(), labels.end());
  }
}

CategoryBlock::CategoryBlock(CategoryBlockOptions options) : options_(std::move(options)) {
  if (options_.column().empty()) throw OptionError("core.category.column: give the column holding the category");
  if (options_.unseen() != "error" && options_.unseen() != "unknown") {
    throw OptionError("core.category.unseen: must be \"error\" or \"unknown\", got \"" + options_.unseen() + "\"");
  }
}

void CategoryBlock::set_vocab(std::vector<std::string> vocab) {
  vocab_ = std::move(vocab);
  index_.clear();
  for (size_t i = 0; i < vocab_.size(); ++i) index_.emplace(vocab_[i], static_cast<int64_t>(i));
}

void CategoryBlock::require_setup(const char* what) const {
  if (vocab_.empty()) {
    throw Error(std::string("core.category (column \"") + options_.column() + "\"): " + what +
                " before setup() or load_state(); fit the block on the training split first");
  }
}

void CategoryBlock::setup(const Records& train) {
  const bool unknown = options_.unseen() == "unknown";
  const auto& values = train.column(options_.column());
  std::set<std::string> seen;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) {
      if (unknown) continue;
      throw DataError("core.category: " + train.origin(i) + ": column \"" + options_.column() +
                      "\" is empty; fill in the value, or set unseen: \"unknown\" to map empty values to \"#na#\"");
    }
    seen.insert(values[i]);
  }
  std::vector<std::string> vocab(seen.begin(), seen.end());
  vocab.erase(std::remove(vocab.begin(), vocab.end(), std::string(unknown_label)), vocab.end());
  sort_labels(vocab);
  if (unknown) vocab.insert(vocab.begin(), unknown_label);
  if (vocab.empty()) {
    throw DataError("core.category: column \"" + options_.column() + "\" of the training split of '" + train.source() +
                    "' has no values; nothing to learn categories from");
  }
  set_vocab(std::move(vocab));
}

int64_t CategoryBlock::index_of(const std::string& label, const std::string& origin) const {
  require_setup("encode");
  auto it = index_.find(label);
  if (it != index_.end()) return it->second;
  if (options_.unseen() == "unknown") return 0;
  throw DataError("core.category: " + origin + ": column \"" + options_.column() + "\" has value \"" + label +
                  "\", which the training split does not contain (classes: " + preview(vocab_) +
                  "); fix the data, or set the block option unseen: \"unknown\" to map it to \"#na#\"");
}

TensorDict CategoryBlock::encode(const Records& records, size_t row, const EncodeContext&) const {
  const int64_t index = index_of(records.at(row, options_.column()), records.origin(row));
  return {{"", torch::tensor(index, torch::kInt64)}};
}

std::vector<InputPart> CategoryBlock::parts(const Records& records, size_t row, const TensorDict& item) const {
  InputPart part{options_.column() + "=" + records.at(row, options_.column()), item};
  part.without[""] = torch::zeros_like(item.at(""));
  return {part};
}

json CategoryBlock::dims() const {
  require_setup("dims()");
  const auto n = static_cast<int64_t>(vocab_.size());
  return {{"n_classes", n}, {"vocab_size", n}};
}

json CategoryBlock::state() const {
  require_setup("state()");
  return {{"vocab", vocab_}, {"unseen", options_.unseen()}};
}

void CategoryBlock::load_state(const json& state) {
  if (!state.is_object() || !state.contains("vocab") || !state["vocab"].is_array() || state["vocab"].empty()) {
    throw DataError("core.category (column \"" + options_.column() +
                    "\"): saved state must be {\"vocab\": [non-empty list of strings], ...}, got " +
                    state.dump().substr(0, 200));
  }
  std::vector<std::string> vocab;
  std::set<std::string> unique;
  for (const auto& v : state["vocab"]) {
    if (!v.is_string()) throw DataError("core.category: saved vocab holds a non-string value " + v.dump());
    if (!unique.insert(v.get<std::string>()).second) {
      throw DataError("core.category: saved vocab lists \"" + v.get<std::string>() + "\" twice; the state is corrupt");
    }
    vocab.push_back(v.get<std::string>());
  }
  if (state.contains("unseen")) {
    const json& u = state["unseen"];
    if (!u.is_string() || (u != "error" && u != "unknown")) {
      throw DataError("core.category: saved unseen must be \"error\" or \"unknown\", got " + u.dump());
    }
    options_.unseen(u.get<std::string>());
  }
  set_vocab(std::move(vocab));
}

int64_t CategoryBlock::n_outputs() const {
  require_setup("n_outputs()");
  return static_cast<int64_t>(vocab_.size());
}

// Softmax in plain C++: decoding runs once per prediction, where tensor calls cost more than the sum.
template <typename T>
json CategoryBlock::decode_scores(const T* row) const {
  std::vector<double> p(row, row + vocab_.size());
  const double top = *std::max_element(p.begin(), p.end());
  double sum = 0.0;
  for (double& v : p) sum += (v = std::exp(v - top));
  json probabilities = json::object();
  size_t best = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    p[i] /= sum;
    probabilities[vocab_[i]] = p[i];
    if (p[i] > p[best]) best = i;
  }
  // Built key by key: an initializer list copies `probabilities` and builds each pair as an array first.
  json out = json::object();
  out["label"] = vocab_[best];
  out["probabilities"] = std::move(probabilities);
  return out;
}

json CategoryBlock::decode(const torch::Tensor& output_row) const {
  require_setup("decode()");
  if (output_row.numel() != static_cast<int64_t>(vocab_.size())) {
    throw Error("core.category (column \"" + options_.column() + "\"): decode got " +
                std::to_string(output_row.numel()) + " outputs but there are " + std::to_string(vocab_.size()) +
                " classes; the model's output width must equal n_outputs()");
  }
  if (output_row.device().is_cpu() && output_row.is_contiguous() && output_row.scalar_type() == torch::kFloat)
    return decode_scores(output_row.data_ptr<float>());
  return decode_scores(output_row.detach().to(torch::kCPU, torch::kDouble).contiguous().data_ptr<double>());
}

std::vector<json> CategoryBlock::decode_batch(const torch::Tensor& outputs) const {
  require_setup("decode()");
  const auto width = static_cast<int64_t>(vocab_.size());
  if (outputs.dim() != 2 || outputs.size(1) != width) return Block::decode_batch(outputs);  // decode() says why
  // float32 rows are read in place; others as double (the same probabilities: softmax runs in double).
  const bool floats = outputs.device().is_cpu() && outputs.scalar_type() == torch::kFloat;
  const torch::Tensor values = floats ? outputs.contiguous() : outputs.detach().to(torch::kCPU, torch::kDouble).contiguous();
  std::vector<json> decoded;
  decoded.reserve(static_cast<size_t>(outputs.size(0)));
  for (int64_t i = 0; i < outputs.size(0); ++i)
    decoded.push_back(floats ? decode_scores(values.data_ptr<float>() + i * width)
                             : decode_scores(values.data_ptr<double>() + i * width));
  return decoded;
}

}  // namespace adapt
