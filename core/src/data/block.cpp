#include "adapt/data/block.h"

#include "adapt/common/png_image.h"
#include "adapt/data/input_parts.h"

#include <algorithm>
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

std::optional<TensorDict> Block::encode_batch(const Records&, const std::vector<size_t>&, const EncodeContext&) const {
  return std::nullopt;
}

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

std::vector<std::string> Block::unseen_batch(const Records& records) const {
  std::vector<std::string> why(records.size());
  for (size_t row = 0; row < why.size(); ++row) why[row] = unseen(records, row);
  return why;
}

json Block::decode(const torch::Tensor&) const {
  throw Error("this block cannot be a target: it cannot decode model outputs; choose a target block such as "
              "core.category, core.multi_category or core.regression");
}

std::vector<json> Block::decode_batch(const torch::Tensor& outputs) const {
  std::vector<json> decoded;
  decoded.reserve(static_cast<size_t>(outputs.size(0)));
  for (int64_t i = 0; i < outputs.size(0); ++i) decoded.push_back(decode(outputs[i]));
  return decoded;
}

std::string Block::describe(const Records& records, size_t row) const {
  const auto names = columns();
  if (names.size() == 1) return records.at(row, names[0]);
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name + "=" + records.at(row, name);
  return out;
}

json Block::audit(const Records&, const std::vector<size_t>&) const { return nullptr; }

bool is_auxiliary_key(const std::string& key) {
  const auto dot = key.rfind('.');
  const std::string last = dot == std::string::npos ? key : key.substr(dot + 1);
  return last == "mask" || last == "lengths";
}

std::vector<std::string> Block::noise_kinds() const { return {"generic"}; }

TensorDict Block::noise(const Records& records, size_t row, const EncodeContext& encode_ctx, const std::string&,
                        const NoiseContext& ctx) const {
  TensorDict item = encode(records, row, encode_ctx);  // for the keys, shapes and dtypes only
  Rng rng = ctx.rng(row);
  for (auto& [key, t] : item) {
    if (is_auxiliary_key(key)) continue;
    if (t.is_floating_point()) {
      t = at::normal(0.0, 1.0, t.sizes(), rng.generator(), t.options());
    } else if (auto r = ctx.integer_ranges.find(key);
               r != ctx.integer_ranges.end() && t.scalar_type() != torch::kBool) {
      t = at::randint(r->second.first, r->second.second + 1, t.sizes(), rng.generator(), t.options());
    }
  }
  return item;
}

std::vector<InputPart> Block::parts(const Records& records, size_t row, const TensorDict& item) const {
  const bool sequence = length(records, row) >= 0;
  std::vector<InputPart> parts;
  for (const auto& [key, t] : item) {
    if (is_auxiliary_key(key) || t.scalar_type() == torch::kBool) continue;
    std::vector<InputPart> more;
    if (sequence && t.dim() == 1 && !t.is_floating_point()) {
      more = deleted_positions(item, key, 0, t.size(0));
    } else if (t.dim() >= 2 && t.is_floating_point()) {
      more = silenced_bands(item, key, 10);
    } else {
      more = replaced_entries(item, key, std::vector<double>(static_cast<size_t>(t.numel()), 0.0));
      if (t.dim() == 0 && !more.empty()) more.front().name = key.empty() ? "input" : key;
    }
    for (auto& part : more) parts.push_back(std::move(part));
  }
  return parts;
}

std::string Block::show(const Records&, size_t, const TensorDict& item) const {
  std::string html;
  for (const auto& [key, t] : item) {
    if (is_auxiliary_key(key) || t.numel() == 0) continue;
    if (!key.empty()) html += "<small>" + key + "</small> ";
    html += t.is_floating_point() && t.dim() >= 2 ? show_image(t) : show_values(t);
    html += "<br>";
  }
  return html;
}

std::string Block::show_learned(const Records&, size_t, const std::string&, Model&, const std::vector<size_t>&) const {
  return {};
}

std::string show_image(const torch::Tensor& image) {
  // The first channel; its first row (a spectrogram's lowest band) at the bottom.
  const torch::Tensor plane = image.reshape({-1, image.size(-2), image.size(-1)})[0].flip(0);
  const int64_t width = std::clamp<int64_t>(plane.size(1) * 2, 100, 800);
  const int64_t height = std::clamp<int64_t>(plane.size(0) * 2, 64, 256);
  return "<img alt=\"image " + std::to_string(plane.size(0)) + " x " + std::to_string(plane.size(1)) +
         "\" style=\"image-rendering:pixelated;width:" + std::to_string(width) + "px;height:" +
         std::to_string(height) + "px\" src=\"" + data_uri("image/png", heatmap_png(plane)) + "\">";
}

std::string show_values(const torch::Tensor& values, size_t max_values) {
  const torch::Tensor flat = values.reshape({-1}).to(torch::kDouble);
  std::ostringstream text;
  text.precision(4);
  const auto n = static_cast<size_t>(flat.numel());
  for (size_t i = 0; i < std::min(n, max_values); ++i) text << (i ? " " : "") << flat[static_cast<int64_t>(i)].item<double>();
  if (n > max_values) text << " ... (" << n << " values)";
  return "<code>" + text.str() + "</code>";
}

namespace {
// A permutation of [0, n) keyed by `key`, one index at a time and without state: a 4-round Feistel
// network on the smallest 4^k >= n, cycle-walked until the image falls below n (on average < 4 steps).
uint64_t permute_index(uint64_t i, uint64_t n, uint64_t key) {
  if (n <= 1) return i;
  int bits = 2;
  while ((uint64_t{1} << bits) < n) bits += 2;
  const int half = bits / 2;
  const uint64_t mask = (uint64_t{1} << half) - 1;
  do {
    uint64_t left = i >> half, right = i & mask;
    for (uint64_t round = 0; round < 4; ++round) {
      const uint64_t next = left ^ (mix_seed(key + round, right) & mask);
      left = right;
      right = next;
    }
    i = (left << half) | right;
  } while (i >= n);
  return i;
}
}  // namespace

size_t NoiseContext::shuffled_row(size_t row, uint64_t column) const {
  if (!split_rows) throw Error("NoiseContext::shuffled_row: no split_rows to shuffle within");
  const auto it = std::lower_bound(split_rows->begin(), split_rows->end(), row);
  if (it == split_rows->end() || *it != row)
    throw Error("NoiseContext::shuffled_row: row " + std::to_string(row) + " is not among the split's rows");
  const auto position = static_cast<uint64_t>(it - split_rows->begin());
  return (*split_rows)[permute_index(position, split_rows->size(), mix_seed(seed, column))];
}

Rng NoiseContext::rng(size_t row, uint64_t stream) const { return Rng(mix_seed(mix_seed(seed, row), stream)); }

}  // namespace adapt
