#include "adapt/data/data_blocks.h"

#include <algorithm>
#include <set>

namespace adapt {

namespace {

// Whether batch key `full` belongs to block key `key`; sets `suffix` to "" or the part after "key.".
bool owned_by(const std::string& full, const std::string& key, std::string& suffix) {
  if (full == key) {
    suffix.clear();
    return true;
  }
  if (full.size() > key.size() + 1 && full.compare(0, key.size(), key) == 0 && full[key.size()] == '.') {
    suffix = full.substr(key.size() + 1);
    return true;
  }
  return false;
}

// Block's default collate (stack every key), for tensors no block owns.
struct StackAll final : Block {
  std::vector<std::string> columns() const override { return {}; }
  TensorDict encode(const Records&, size_t, const EncodeContext&) const override { return {}; }
};

void add_prefixed(TensorDict& out, const std::string& key, TensorDict&& part) {
  for (auto& [suffix, tensor] : part) out[suffix.empty() ? key : key + "." + suffix] = std::move(tensor);
}

}  // namespace

DataBlocks::DataBlocks(std::vector<BoundBlock> inputs, BoundBlock target)
    : inputs_(std::move(inputs)), target_(std::move(target)) {
  if (inputs_.empty()) throw OptionError("inputs: give at least one input block");
  std::set<std::string> keys;
  auto check = [&](const BoundBlock& bound, const std::string& role) {
    if (bound.key.empty() || bound.key.find('.') != std::string::npos) {
      throw OptionError(role + ": block key \"" + bound.key +
                        "\" must be non-empty and contain no '.' (dots separate extra tensors like x.mask)");
    }
    if (bound.key == "row") throw OptionError(role + ": block key \"row\" is reserved for the loader's row indices");
    if (!keys.insert(bound.key).second) {
      throw OptionError(role + ": block key \"" + bound.key + "\" is used twice; give each block its own \"key\"");
    }
  };
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const std::string role = "inputs[" + std::to_string(i) + "]";
    if (!inputs_[i].block) throw OptionError(role + ": no block given");
    check(inputs_[i], role);
  }
  // A null target block means "no target" (prediction-only data); encode and collate skip it.
  if (target_.block) check(target_, "target");
}

void DataBlocks::setup(const Records& train) {
  for (auto& bound : inputs_) bound.block->setup(train);
  if (target_.block) target_.block->setup(train);
}

TensorDict owned_keys(const TensorDict& sample, const std::string& key) {
  TensorDict owned;
  std::string suffix;
  for (const auto& [full, tensor] : sample)
    if (owned_by(full, key, suffix)) owned[suffix] = tensor;
  return owned;
}

Sample DataBlocks::encode(const Records& records, size_t row, const EncodeContext& ctx, bool with_target) const {
  Sample sample;
  for (const auto& bound : inputs_) add_prefixed(sample, bound.key, bound.block->encode(records, row, ctx));
  if (with_target && target_.block) add_prefixed(sample, target_.key, target_.block->encode(records, row, ctx));
  return sample;
}

Batch DataBlocks::collate(const std::vector<Sample>& items) const {
  if (items.empty()) throw Error("collate: no items to collate; a batch needs at least one item");
  std::vector<const BoundBlock*> bounds;
  for (const auto& bound : inputs_) bounds.push_back(&bound);
  if (target_.block) bounds.push_back(&target_);

  Batch batch;
  std::set<std::string> claimed;
  std::string suffix;
  for (const BoundBlock* bound : bounds) {
    std::vector<TensorDict> parts(items.size());
    bool present = false;
    for (size_t i = 0; i < items.size(); ++i) {
      for (const auto& [key, tensor] : items[i]) {
        if (owned_by(key, bound->key, suffix)) {
          parts[i][suffix] = tensor;
          present = true;
        }
      }
    }
    if (!present) continue;  // e.g. the target when encoding for prediction
    for (const auto& [key, tensor] : items.front()) {
      if (owned_by(key, bound->key, suffix)) claimed.insert(key);
    }
    try {
      add_prefixed(batch, bound->key, bound->block->collate(parts));
    } catch (const Error& e) {
      throw Error("block \"" + bound->key + "\": " + e.what());
    }
  }
  // Anything else (written by a transform, say) is stacked.
  std::vector<TensorDict> rest(items.size());
  bool any_rest = false;
  for (size_t i = 0; i < items.size(); ++i) {
    for (const auto& [key, tensor] : items[i]) {
      bool owned = false;
      for (const BoundBlock* bound : bounds) owned = owned || owned_by(key, bound->key, suffix);
      if (!owned) {
        rest[i][key] = tensor;
        any_rest = true;
      }
    }
  }
  if (any_rest) {
    TensorDict stacked = StackAll().collate(rest);
    for (auto& [key, tensor] : stacked) batch[key] = std::move(tensor);
  }
  return batch;
}

std::optional<Batch> DataBlocks::encode_batch(const Records& records, const std::vector<size_t>& rows,
                                              const EncodeContext& ctx) const {
  Batch batch;
  for (const auto& bound : inputs_) {
    std::optional<TensorDict> part = bound.block->encode_batch(records, rows, ctx);
    if (!part) return std::nullopt;
    add_prefixed(batch, bound.key, std::move(*part));
  }
  return batch;
}

bool DataBlocks::random_on_train() const {
  for (const auto& bound : inputs_) {
    if (bound.block->random_on_train()) return true;
  }
  return target_.block && target_.block->random_on_train();
}

int64_t DataBlocks::length(const Records& records, size_t row) const {
  for (const auto& bound : inputs_) {
    const int64_t n = bound.block->length(records, row);
    if (n >= 0) return n;
  }
  return -1;
}

const Block& DataBlocks::input(const std::string& key) const {
  std::string keys;
  for (const auto& bound : inputs_) {
    if (bound.key == key) return *bound.block;
    keys += (keys.empty() ? "" : ", ") + ("\"" + bound.key + "\"");
  }
  throw Error("no input block with key \"" + key + "\"; the input keys are " + keys);
}

std::vector<std::string> DataBlocks::input_columns() const {
  std::vector<std::string> out;
  for (const auto& bound : inputs_) {
    for (const auto& column : bound.block->columns()) {
      if (std::find(out.begin(), out.end(), column) == out.end()) out.push_back(column);
    }
  }
  return out;
}

json DataBlocks::state() const {
  json out = json::object();
  for (const auto& bound : inputs_) out[bound.key] = bound.block->state();
  if (target_.block) out[target_.key] = target_.block->state();
  return out;
}

void DataBlocks::load_state(const json& state) {
  if (!state.is_object()) throw DataError("block state: expected an object keyed by block key, got " + state.dump());
  auto load = [&](BoundBlock& bound) {
    if (!state.contains(bound.key)) {
      throw DataError("block state has no entry for block \"" + bound.key +
                      "\"; the export was made with different blocks; retrain or use the matching recipe");
    }
    try {
      bound.block->load_state(state.at(bound.key));
    } catch (const DataError& e) {
      throw DataError("block \"" + bound.key + "\": " + e.what());
    }
  };
  for (auto& bound : inputs_) load(bound);
  if (target_.block) load(target_);
}

}  // namespace adapt
