#pragma once
// Helpers shared by the core data tests: temporary folders, small records and a variable-length
// sequence block (for bucket sampling and padding).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "adapt/data/block.h"
#include "adapt/data/records.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace adapt::testing {

using test_support::TempDir;  // TempDir dir; dir.path, dir.write("a/b.csv", text)

// Records with columns {"id", "label", "value", "group"}: n rows, label cycles through `classes`.
inline Records make_records(size_t n, size_t classes = 2) {
  Records r({"id", "label", "value", "group"}, "mem.csv");
  for (size_t i = 0; i < n; ++i) {
    r.add_row({std::to_string(i), "c" + std::to_string(i % classes), std::to_string(0.5 * static_cast<double>(i)),
               "g" + std::to_string(i / 5)},
              "mem.csv:" + std::to_string(i + 2));
  }
  return r;
}

// Space-separated integers <-> int64 sequence, padded with 0 in collate, "mask" marks real tokens.
class TokensBlock : public Block {
 public:
  explicit TokensBlock(std::string column) : column_(std::move(column)) {}
  std::vector<std::string> columns() const override { return {column_}; }
  TensorDict encode(const Records& records, size_t row, const EncodeContext&) const override {
    std::vector<int64_t> ids;
    std::istringstream in(records.at(row, column_));
    int64_t v;
    while (in >> v) ids.push_back(v);
    return {{"", torch::tensor(ids, torch::kInt64)}};
  }
  TensorDict collate(const std::vector<TensorDict>& items) const override {
    int64_t longest = 0;
    for (const auto& item : items) longest = std::max(longest, item.at("").size(0));
    auto out = torch::zeros({static_cast<int64_t>(items.size()), longest}, torch::kInt64);
    auto mask = torch::zeros({static_cast<int64_t>(items.size()), longest}, torch::kBool);
    for (size_t i = 0; i < items.size(); ++i) {
      const auto& t = items[i].at("");
      out[i].narrow(0, 0, t.size(0)).copy_(t);
      mask[i].narrow(0, 0, t.size(0)).fill_(true);
    }
    return {{"", out}, {"mask", mask}};
  }
  int64_t length(const Records& records, size_t row) const override {
    std::istringstream in(records.at(row, column_));
    int64_t n = 0, v;
    while (in >> v) ++n;
    return n;
  }

 private:
  std::string column_;
};

inline std::string data_dir() {
  const char* dir = std::getenv("ADAPT_DATA_DIR");
  return dir && *dir && std::filesystem::is_directory(dir) ? std::string(dir) : std::string();
}

}  // namespace adapt::testing
