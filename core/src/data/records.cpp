#include "adapt/data/records.h"

#include <sstream>

namespace adapt {

namespace {
std::string join_names(const std::vector<std::string>& names) {
  std::ostringstream out;
  for (size_t i = 0; i < names.size(); ++i) out << (i ? ", " : "") << '"' << names[i] << '"';
  return out.str();
}
}  // namespace

Records::Records(std::vector<std::string> column_names, std::string source)
    : names_(std::move(column_names)), columns_(names_.size()), source_(std::move(source)) {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (!index_.emplace(names_[i], i).second) {
      throw DataError("records from '" + source_ + "': column \"" + names_[i] +
                      "\" appears twice; give every column a distinct name");
    }
  }
}

void Records::add_row(std::vector<std::string> fields, std::string origin) {
  if (fields.size() != names_.size()) {
    throw DataError("records from '" + source_ + "'" + (origin.empty() ? "" : " at " + origin) + ": row has " +
                    std::to_string(fields.size()) + " fields but there are " + std::to_string(names_.size()) +
                    " columns (" + join_names(names_) + "); give every row one field per column");
  }
  if (origin.empty()) origin = source_ + " row " + std::to_string(origins_.size() + 1);
  for (size_t i = 0; i < fields.size(); ++i) columns_[i].push_back(std::move(fields[i]));
  origins_.push_back(std::move(origin));
}

void Records::add_column(const std::string& name, std::vector<std::string> values) {
  if (index_.count(name)) {
    throw DataError("records from '" + source_ + "': column \"" + name + "\" already exists; pick another name");
  }
  if (names_.empty() && origins_.empty()) {
    // The first column of empty records fixes the row count.
    for (size_t i = 0; i < values.size(); ++i) origins_.push_back(source_ + " row " + std::to_string(i + 1));
  } else if (values.size() != size()) {
    throw DataError("records from '" + source_ + "': new column \"" + name + "\" has " +
                    std::to_string(values.size()) + " values but the records have " + std::to_string(size()) +
                    " rows; give one value per row");
  }
  index_.emplace(name, names_.size());
  names_.push_back(name);
  columns_.push_back(std::move(values));
}

bool Records::has_column(const std::string& name) const { return index_.count(name) != 0; }

size_t Records::column_index(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) {
    throw DataError("records from '" + source_ + "' have no column \"" + name + "\"; the columns are " +
                    (names_.empty() ? std::string("(none)") : join_names(names_)) +
                    "; fix the column name in the recipe or the data's header");
  }
  return it->second;
}

const std::vector<std::string>& Records::column(const std::string& name) const {
  return columns_[column_index(name)];
}

const std::string& Records::at(size_t row, const std::string& name) const {
  const auto& values = column(name);
  if (row >= values.size()) {
    throw DataError("records from '" + source_ + "': row " + std::to_string(row) + " is out of range (" +
                    std::to_string(values.size()) + " rows)");
  }
  return values[row];
}

Records Records::subset(const std::vector<size_t>& rows) const {
  Records out(names_, source_);
  for (auto& column : out.columns_) column.reserve(rows.size());
  out.origins_.reserve(rows.size());
  for (size_t row : rows) {
    if (row >= size()) {
      throw DataError("records from '" + source_ + "': subset row " + std::to_string(row) + " is out of range (" +
                      std::to_string(size()) + " rows)");
    }
    for (size_t c = 0; c < columns_.size(); ++c) out.columns_[c].push_back(columns_[c][row]);
    out.origins_.push_back(origins_[row]);
  }
  return out;
}

const char* to_string(Split split) {
  switch (split) {
    case Split::train: return "train";
    case Split::valid: return "valid";
    case Split::test: return "test";
    case Split::predict: return "predict";
  }
  return "unknown";
}

}  // namespace adapt
