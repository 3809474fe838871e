#include "data/joined_reader.h"

#include <algorithm>
#include <unordered_map>

namespace adapt {
namespace {

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void join_table(Records& records, const JoinOptions& o) {
  if (!records.has_column(o.on))
    throw OptionError("reader.join.on: " + records.source() + " has no column \"" + o.on + "\" (its columns: " +
                      listed(records.column_names()) + ")");
  const Records right = read_csv_file(o.path, o.csv);
  if (!right.has_column(o.on))
    throw DataError(o.path + ": no column \"" + o.on + "\" to join by (its columns: " + listed(right.column_names()) +
                    "); set reader.join.on to the key both tables share");
  std::vector<std::string> columns = o.columns;
  if (columns.empty())
    for (const auto& c : right.column_names())
      if (c != o.on) columns.push_back(c);
  for (const auto& c : columns) {
    if (!right.has_column(c))
      throw OptionError("reader.join.columns: " + o.path + " has no column \"" + c + "\" (its columns: " +
                        listed(right.column_names()) + ")");
    if (records.has_column(c))
      throw OptionError("reader.join.columns: \"" + c + "\" is a column of both tables; list the joined columns "
                        "to take (reader.join.columns) without it");
  }
  std::unordered_map<std::string, size_t> row_of;
  const auto& keys = right.column(o.on);
  for (size_t r = 0; r < keys.size(); ++r)
    if (auto [it, fresh] = row_of.emplace(keys[r], r); !fresh)
      throw DataError(right.origin(r) + ": " + o.on + " \"" + keys[r] + "\" appears again (first at " +
                      right.origin(it->second) + "); a joined table needs one row per key");
  std::vector<std::vector<std::string>> added(columns.size(), std::vector<std::string>(records.size()));
  const auto& wanted = records.column(o.on);
  for (size_t row = 0; row < records.size(); ++row) {
    auto found = row_of.find(wanted[row]);
    if (found == row_of.end()) {
      if (o.missing_is_error)
        throw DataError(records.origin(row) + ": " + o.on + " \"" + wanted[row] + "\" has no row in " + o.path +
                        "; add it there, or set reader.join.missing to \"empty\" to leave its columns blank");
      continue;
    }
    for (size_t c = 0; c < columns.size(); ++c) added[c][row] = right.at(found->second, columns[c]);
  }
  for (size_t c = 0; c < columns.size(); ++c) records.add_column(columns[c], std::move(added[c]));
}

JoinedReader::JoinedReader(std::shared_ptr<const Reader> base, JoinOptions options)
    : base_(std::move(base)), options_(std::move(options)) {
  if (options_.path.empty()) throw OptionError("reader.join.path: give the second table to join");
  if (options_.on.empty()) throw OptionError("reader.join.on: give the key column both tables share");
}

Records JoinedReader::read() const {
  Records records = base_->read();
  join_table(records, options_);
  return records;
}

Records JoinedReader::read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const {
  return base_->read_inputs(inputs, input_column);
}

const std::vector<std::string>& JoinedReader::joined_columns() const {
  std::call_once(joined_once_, [&] {
    joined_ = options_.columns;
    if (!joined_.empty()) return;
    const Records table = read_csv_file(options_.path, options_.csv);
    for (const auto& c : table.column_names())
      if (c != options_.on) joined_.push_back(c);
  });
  return joined_;
}

std::vector<std::string> JoinedReader::predict_columns(const std::vector<std::string>& input_columns) const {
  const auto& joined = joined_columns();
  std::vector<std::string> out;
  bool needs_key = false;
  for (const auto& c : input_columns) {
    if (std::find(joined.begin(), joined.end(), c) != joined.end())
      needs_key = true;
    else
      out.push_back(c);
  }
  if (needs_key && std::find(out.begin(), out.end(), options_.on) == out.end()) out.push_back(options_.on);
  return out;
}

void JoinedReader::complete(Records& records) const {
  const auto& joined = joined_columns();
  const bool has_all = std::all_of(joined.begin(), joined.end(), [&](const std::string& c) { return records.has_column(c); });
  if (!has_all && records.has_column(options_.on)) {
    JoinOptions o = options_;
    o.columns.clear();
    for (const auto& c : joined)
      if (!records.has_column(c)) o.columns.push_back(c);
    join_table(records, o);
  }
}

}  // namespace adapt
