#include "adapt/data/input_parts.h"

#include <algorithm>

namespace adapt {

namespace {
std::string part_name(const std::string& key, int64_t i) { return key + "[" + std::to_string(i) + "]"; }

const torch::Tensor& item_tensor(const TensorDict& item, const std::string& key) {
  const auto it = item.find(key);
  if (it == item.end()) throw Error("Block::parts: the encoded item has no key \"" + key + "\"");
  return it->second;
}
}  // namespace

std::vector<InputPart> deleted_positions(const TensorDict& item, const std::string& key, int64_t begin, int64_t end) {
  const torch::Tensor& t = item_tensor(item, key);
  if (t.dim() != 1) throw Error("Block::parts: deleted_positions needs a 1-D tensor at \"" + key + "\"");
  begin = std::max<int64_t>(begin, 0), end = std::min(end, t.size(0));
  std::vector<InputPart> parts;
  for (int64_t i = begin; i < end; ++i) {
    InputPart part{part_name(key, i), item};
    part.without[key] = torch::cat({t.slice(0, 0, i), t.slice(0, i + 1)});
    parts.push_back(std::move(part));
  }
  return parts;
}

std::vector<InputPart> replaced_entries(const TensorDict& item, const std::string& key,
                                        const std::vector<double>& fill) {
  const torch::Tensor& t = item_tensor(item, key);
  if (static_cast<int64_t>(fill.size()) != t.numel())
    throw Error("Block::parts: replaced_entries got " + std::to_string(fill.size()) + " fill values for the " +
                std::to_string(t.numel()) + " entries of \"" + key + "\"");
  std::vector<InputPart> parts;
  for (int64_t i = 0; i < t.numel(); ++i) {
    InputPart part{part_name(key, i), item};
    torch::Tensor changed = t.clone();
    changed.view({-1})[i] = fill[static_cast<size_t>(i)];
    part.without[key] = changed;
    parts.push_back(std::move(part));
  }
  return parts;
}

std::vector<InputPart> silenced_bands(const TensorDict& item, const std::string& key, int64_t bands) {
  const torch::Tensor& t = item_tensor(item, key);
  if (t.dim() < 1 || t.numel() == 0) return {};
  const int64_t width = t.size(-1), n = std::min(bands, width);
  const double floor = t.min().item<double>();
  std::vector<InputPart> parts;
  for (int64_t b = 0; b < n; ++b) {
    const int64_t from = b * width / n, to = (b + 1) * width / n;
    InputPart part{"frames " + std::to_string(from) + "-" + std::to_string(to - 1), item};
    torch::Tensor changed = t.clone();
    changed.narrow(-1, from, to - from).fill_(floor);
    part.without[key] = changed;
    parts.push_back(std::move(part));
  }
  return parts;
}

}  // namespace adapt
