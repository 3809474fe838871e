#pragma once
// The core's splitters. All seeded ones are reproducible from `seed` alone, and every returned index
// list is sorted ascending (the loader shuffles).
//   core.random       valid_pct (and test_pct) of the rows at random
//   core.stratified   the same, per value of a label column (keeps class proportions)
//   core.by_column    a column says train / valid / test (e.g. is_valid, split)
//   core.by_folder    the "split" column written by core.folder's train/valid/test layout
//   core.index_files  files list the valid (and test) rows by index or by id
//   core.grouped      whole groups go to one side (no leakage between e.g. speakers or users)
#include <cstdint>
#include <string>
#include <vector>

#include "adapt/data/splitter.h"

namespace adapt {

class ADAPT_API RandomSplitter : public Splitter {
 public:
  explicit RandomSplitter(double valid_pct = 0.2, uint64_t seed = 42, double test_pct = 0.0);
  SplitIndices split(const Records& records) const override;

 private:
  double valid_pct_, test_pct_;
  uint64_t seed_;
};

class ADAPT_API StratifiedSplitter : public Splitter {
 public:
  StratifiedSplitter(std::string column, double valid_pct = 0.2, uint64_t seed = 42, double test_pct = 0.0);
  SplitIndices split(const Records& records) const override;

 private:
  std::string column_;
  double valid_pct_, test_pct_;
  uint64_t seed_;
};

class ADAPT_API ColumnSplitter : public Splitter {
 public:
  // A row whose value is in none of the lists is a DataError naming the row and the lists.
  ColumnSplitter(std::string column, std::vector<std::string> train_values, std::vector<std::string> valid_values,
                 std::vector<std::string> test_values, std::string component = "core.by_column");
  SplitIndices split(const Records& records) const override;

 private:
  std::string column_;
  std::vector<std::string> train_values_, valid_values_, test_values_;
  std::string component_;
};

class ADAPT_API IndexFileSplitter : public Splitter {
 public:
  // Each file has one entry per line (blank lines and lines starting with '#' are skipped): a 0-based
  // row index, or, when `id_column` is set, a value of that column. Rows in neither file are train.
  IndexFileSplitter(std::string valid_file, std::string test_file = {}, std::string id_column = {});
  SplitIndices split(const Records& records) const override;

 private:
  std::string valid_file_, test_file_, id_column_;
};

class ADAPT_API GroupedSplitter : public Splitter {
 public:
  // Groups are shuffled with `seed` and go to valid (then test) until each holds at least its share
  // of the rows; every row of a group lands on the same side.
  GroupedSplitter(std::string column, double valid_pct = 0.2, uint64_t seed = 42, double test_pct = 0.0);
  SplitIndices split(const Records& records) const override;

 private:
  std::string column_;
  double valid_pct_, test_pct_;
  uint64_t seed_;
};

}  // namespace adapt
