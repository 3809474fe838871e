#include "adapt/data/block.h"

#include <sstream>

namespace adapt {

namespace {
std::string shape_string(const torch::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}
}  // namespace

Block::~Block() = default;

void Block::setup(const Records&) {}

TensorDict Block::collate(const std::vector<TensorDict>& items) const {
  if (items.empty()) throw Error("collate: no items to collate; a batch needs at least one item");
  TensorDict batch;
  const TensorDict& first = items.front();
  for (const auto& [key, reference] : first) {
    std::vector<torch::Tensor> parts;
    parts.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      auto it = items[i].find(key);
      if (it == items[i].end()) {
        throw Error("collate: item " + std::to_string(i) + " has no tensor \"" + key +
                    "\" but item 0 has; every item of a block must produce the same keys");
      }
      if (!it->second.sizes().equals(reference.sizes())) {
        throw Error("collate: tensor \"" + key + "\" of item " + std::to_string(i) + " has shape " +
                    shape_string(it->second) + " but item 0 has " + shape_string(reference) +
                    "; a variable-length block must pad in its own collate()");
      }
      if (it->second.scalar_type() != reference.scalar_type()) {
        throw Error("collate: tensor \"" + key + "\" of item " + std::to_string(i) + " has dtype " +
                    std::string(c10::toString(it->second.scalar_type())) + " but item 0 has " +
                    std::string(c10::toString(reference.scalar_type())));
      }
      parts.push_back(it->second);
    }
    batch[key] = torch::stack(parts);
  }
  for (size_t i = 1; i < items.size(); ++i) {
    if (items[i].size() != first.size()) {
      throw Error("collate: item " + std::to_string(i) + " has " + std::to_string(items[i].size()) +
                  " tensors but item 0 has " + std::to_string(first.size()) +
                  "; every item of a block must produce the same keys");
    }
  }
  return batch;
}

int64_t Block::length(const Records&, size_t) const { return -1; }

json Block::dims() const { return json::object(); }

json Block::state() const { return json::object(); }

void Block::load_state(const json&) {}

int64_t Block::n_outputs() const {
  throw Error("this block cannot be a target: it has no output size; choose a target block such as "
              "core.category, core.multi_category or core.regression");
}

std::string Block::unseen(const Records&, size_t) const { return {}; }

json Block::decode(const torch::Tensor&) const {
  throw Error("this block cannot be a target: it cannot decode model outputs; choose a target block such as "
              "core.category, core.multi_category or core.regression");
}

std::string Block::describe(const Records& records, size_t row) const {
  const auto names = columns();
  if (names.size() == 1) return records.at(row, names[0]);
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name + "=" + records.at(row, name);
  return out;
}

json Block::audit(const Records&, const std::vector<size_t>&) const { return nullptr; }

}  // namespace adapt
