#pragma once
// Records: the raw rows a reader produced, stored by column (all fields are strings as read).
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapt/common/error.h"

namespace adapt {

class ADAPT_API Records {
 public:
  Records() = default;
  Records(std::vector<std::string> column_names, std::string source);

  // Appends one row; `origin` says where it came from for error messages ("file.csv:12", a path).
  void add_row(std::vector<std::string> fields, std::string origin = {});
  void add_column(const std::string& name, std::vector<std::string> values);

  size_t size() const { return origins_.size(); }
  bool empty() const { return size() == 0; }
  const std::vector<std::string>& column_names() const { return names_; }
  bool has_column(const std::string& name) const;
  // Index of a column; throws DataError naming the source and the available columns.
  size_t column_index(const std::string& name) const;
  const std::vector<std::string>& column(const std::string& name) const;
  const std::vector<std::string>& column(size_t index) const { return columns_.at(index); }
  const std::string& at(size_t row, const std::string& name) const;
  const std::string& at(size_t row, size_t column) const { return columns_[column][row]; }
  const std::string& origin(size_t row) const { return origins_.at(row); }
  const std::string& source() const { return source_; }

  // A copy holding only `rows`, in that order (used to give blocks the training split only).
  Records subset(const std::vector<size_t>& rows) const;

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::vector<std::string>> columns_;
  std::vector<std::string> origins_;
  std::string source_;
};

// Which part of the data an operation works on; random augmentation runs on `train` only.
enum class Split { train, valid, test, predict };
const char* to_string(Split split);

}  // namespace adapt
