#include "adapt/data/splitters.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <numeric>
#include <unordered_map>

#include "adapt/common/rng.h"
#include "adapt/data/sampler.h"

namespace adapt {

namespace {

void check_pcts(const std::string& component, double valid_pct, double test_pct) {
  if (!(valid_pct >= 0.0 && valid_pct < 1.0)) {
    throw OptionError("splitter.valid_pct: must be in [0, 1), got " + std::to_string(valid_pct));
  }
  if (!(test_pct >= 0.0 && test_pct < 1.0) || valid_pct + test_pct >= 1.0) {
    throw OptionError("splitter.test_pct: must be >= 0 with valid_pct + test_pct < 1, got " + std::to_string(test_pct) +
                      " (" + component + ")");
  }
}

SplitIndices finish(SplitIndices s, const std::string& component, const Records& records) {
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.valid.begin(), s.valid.end());
  std::sort(s.test.begin(), s.test.end());
  if (s.train.empty()) {
    throw DataError(component + ": no training rows left out of " + std::to_string(records.size()) + " in '" +
                    records.source() + "'; lower valid_pct/test_pct or check the split data");
  }
  return s;
}

std::vector<size_t> iota(size_t n) {
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), size_t{0});
  return v;
}

// First `n_test` of `order` to test, the next `n_valid` to valid, the rest to train. Test comes
// first so that its rows depend only on the seed and test_pct: settings chosen with valid_pct 0.1
// can be refitted with valid_pct 0 on train+valid and scored on the very same, untouched test rows.
void deal(const std::vector<size_t>& order, size_t n_valid, size_t n_test, SplitIndices& out) {
  for (size_t i = 0; i < order.size(); ++i) {
    (i < n_test ? out.test : i < n_test + n_valid ? out.valid : out.train).push_back(order[i]);
  }
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + ("\"" + v + "\"");
  return out.empty() ? "(none)" : out;
}

}  // namespace

// --- random --------------------------------------------------------------------------------------

RandomSplitter::RandomSplitter(double valid_pct, uint64_t seed, double test_pct)
    : valid_pct_(valid_pct), test_pct_(test_pct), seed_(seed) {
  check_pcts("core.random", valid_pct, test_pct);
}

SplitIndices RandomSplitter::split(const Records& records) const {
  const size_t n = records.size();
  std::vector<size_t> order = iota(n);
  Rng rng(seed_);
  shuffle(order, rng);
  // fastai's RandomSplitter: int(valid_pct * n) validation rows.
  const size_t n_valid = static_cast<size_t>(std::floor(valid_pct_ * static_cast<double>(n)));
  const size_t n_test = static_cast<size_t>(std::floor(test_pct_ * static_cast<double>(n)));
  SplitIndices out;
  deal(order, n_valid, n_test, out);
  return finish(std::move(out), "core.random", records);
}

// --- stratified ----------------------------------------------------------------------------------

StratifiedSplitter::StratifiedSplitter(std::string column, double valid_pct, uint64_t seed, double test_pct)
    : column_(std::move(column)), valid_pct_(valid_pct), test_pct_(test_pct), seed_(seed) {
  if (column_.empty()) throw OptionError("splitter.column: give the label column to stratify by");
  check_pcts("core.stratified", valid_pct, test_pct);
}

SplitIndices StratifiedSplitter::split(const Records& records) const {
  const auto& values = records.column(column_);
  std::map<std::string, std::vector<size_t>> by_class;  // ordered: the draw does not depend on hashing
  for (size_t i = 0; i < values.size(); ++i) by_class[values[i]].push_back(i);
  Rng rng(seed_);
  SplitIndices out;
  for (auto& [label, rows] : by_class) {
    shuffle(rows, rng);
    const double n = static_cast<double>(rows.size());
    const size_t n_test = static_cast<size_t>(std::llround(test_pct_ * n));
    const size_t n_valid = std::min(rows.size() - n_test, static_cast<size_t>(std::llround(valid_pct_ * n)));
    deal(rows, n_valid, n_test, out);
  }
  return finish(std::move(out), "core.stratified", records);
}

// --- by column -----------------------------------------------------------------------------------

ColumnSplitter::ColumnSplitter(std::string column, std::vector<std::string> train_values,
                               std::vector<std::string> valid_values, std::vector<std::string> test_values,
                               std::string component)
    : column_(std::move(column)), train_values_(std::move(train_values)), valid_values_(std::move(valid_values)),
      test_values_(std::move(test_values)), component_(std::move(component)) {
  if (column_.empty()) throw OptionError("splitter.column: give the column that says train/valid/test");
  for (const auto& v : valid_values_) {
    if (std::count(train_values_.begin(), train_values_.end(), v) ||
        std::count(test_values_.begin(), test_values_.end(), v)) {
      throw OptionError("splitter: value \"" + v + "\" is listed for more than one split");
    }
  }
  for (const auto& v : test_values_) {
    if (std::count(train_values_.begin(), train_values_.end(), v)) {
      throw OptionError("splitter: value \"" + v + "\" is listed for more than one split");
    }
  }
}

SplitIndices ColumnSplitter::split(const Records& records) const {
  if (!records.has_column(column_)) {
    if (component_ == "core.by_folder") {
      throw DataError("core.by_folder: the records from '" + records.source() + "' have no \"" + column_ +
                      "\" column; core.folder writes it only when the folder has train/ valid/ test/ "
                      "subfolders; use core.random or core.stratified instead");
    }
    records.column_index(column_);  // throws, listing the columns
  }
  const auto& values = records.column(column_);
  auto in = [](const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  SplitIndices out;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string& v = values[i];
    if (in(train_values_, v)) {
      out.train.push_back(i);
    } else if (in(valid_values_, v)) {
      out.valid.push_back(i);
    } else if (in(test_values_, v)) {
      out.test.push_back(i);
    } else {
      throw DataError(component_ + ": " + records.origin(i) + ": column \"" + column_ + "\" has value \"" + v +
                      "\", which is in none of train_values " + join(train_values_) + ", valid_values " +
                      join(valid_values_) + ", test_values " + join(test_values_) +
                      "; fix the data or add the value to one of those options");
    }
  }
  // An explicitly empty valid_values asks for a refit on train+valid (docs/recipes.md); a list that
  // matches nothing is a typo.
  if (out.valid.empty() && !valid_values_.empty()) {
    throw DataError(component_ + ": no row of '" + records.source() + "' has a valid value " + join(valid_values_) +
                    " in column \"" + column_ + "\"; check valid_values (an empty list refits without validation)");
  }
  return finish(std::move(out), component_, records);
}

// --- index files ---------------------------------------------------------------------------------

IndexFileSplitter::IndexFileSplitter(std::string valid_file, std::string test_file, std::string id_column)
    : valid_file_(std::move(valid_file)), test_file_(std::move(test_file)), id_column_(std::move(id_column)) {
  if (valid_file_.empty()) throw OptionError("splitter.valid_file: give the file listing the validation rows");
}

SplitIndices IndexFileSplitter::split(const Records& records) const {
  std::unordered_map<std::string, std::vector<size_t>> by_id;
  if (!id_column_.empty()) {
    const auto& ids = records.column(id_column_);
    for (size_t i = 0; i < ids.size(); ++i) by_id[ids[i]].push_back(i);
  }
  std::vector<char> side(records.size(), 0);  // 0 train, 1 valid, 2 test
  auto load = [&](const std::string& file, char mark) {
    std::ifstream in(file);
    if (!in) throw DataError("core.index_files: cannot open '" + file + "'; check the path");
    std::string line;
    size_t line_no = 0, entries = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t b = line.find_first_not_of(" \t");
      if (b == std::string::npos || line[b] == '#') continue;
      const std::string entry = line.substr(b, line.find_last_not_of(" \t") - b + 1);
      const std::string where = file + ":" + std::to_string(line_no);
      std::vector<size_t> rows;
      if (id_column_.empty()) {
        char* end = nullptr;
        errno = 0;
        const unsigned long long v = std::strtoull(entry.c_str(), &end, 10);
        if (entry[0] == '-' || *end != '\0' || errno != 0) {
          throw DataError("core.index_files: " + where + ": \"" + entry +
                          "\" is not a row index (0-based integer); set id_column to list ids instead");
        }
        if (v >= records.size()) {
          throw DataError("core.index_files: " + where + ": row " + entry + " is out of range; '" + records.source() +
                          "' has " + std::to_string(records.size()) + " rows (indices are 0-based)");
        }
        rows.push_back(static_cast<size_t>(v));
      } else {
        auto it = by_id.find(entry);
        if (it == by_id.end()) {
          throw DataError("core.index_files: " + where + ": id \"" + entry + "\" is not in column \"" + id_column_ +
                          "\" of '" + records.source() + "'; fix the file or id_column");
        }
        rows = it->second;
      }
      for (size_t r : rows) {
        if (side[r] != 0 && side[r] != mark) {
          throw DataError("core.index_files: " + where + ": row " + std::to_string(r) +
                          " is listed for both valid and test; a row belongs to one split");
        }
        side[r] = mark;
      }
      ++entries;
    }
    if (entries == 0) throw DataError("core.index_files: '" + file + "' lists no rows");
  };
  load(valid_file_, 1);
  if (!test_file_.empty()) load(test_file_, 2);
  SplitIndices out;
  for (size_t i = 0; i < side.size(); ++i) (side[i] == 0 ? out.train : side[i] == 1 ? out.valid : out.test).push_back(i);
  return finish(std::move(out), "core.index_files", records);
}

// --- grouped -------------------------------------------------------------------------------------

GroupedSplitter::GroupedSplitter(std::string column, double valid_pct, uint64_t seed, double test_pct)
    : column_(std::move(column)), valid_pct_(valid_pct), test_pct_(test_pct), seed_(seed) {
  if (column_.empty()) throw OptionError("splitter.column: give the group column (speaker, user, patient, ...)");
  check_pcts("core.grouped", valid_pct, test_pct);
}

SplitIndices GroupedSplitter::split(const Records& records) const {
  const auto& values = records.column(column_);
  std::map<std::string, std::vector<size_t>> groups;  // ordered, so the shuffle is reproducible
  for (size_t i = 0; i < values.size(); ++i) groups[values[i]].push_back(i);
  if (groups.size() < 2 && valid_pct_ > 0.0) {
    throw DataError("core.grouped: column \"" + column_ + "\" of '" + records.source() + "' has " +
                    std::to_string(groups.size()) + " group(s); at least 2 are needed to hold some out");
  }
  std::vector<const std::vector<size_t>*> order;
  for (const auto& [name, rows] : groups) order.push_back(&rows);
  Rng rng(seed_);
  std::vector<size_t> perm = iota(order.size());
  shuffle(perm, rng);
  const double n = static_cast<double>(records.size());
  const size_t want_valid = static_cast<size_t>(std::llround(valid_pct_ * n));
  const size_t want_test = static_cast<size_t>(std::llround(test_pct_ * n));
  SplitIndices out;
  for (size_t p : perm) {
    const auto& rows = *order[p];
    auto& side = out.valid.size() < want_valid ? out.valid : out.test.size() < want_test ? out.test : out.train;
    side.insert(side.end(), rows.begin(), rows.end());
  }
  return finish(std::move(out), "core.grouped", records);
}

}  // namespace adapt
