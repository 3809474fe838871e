#pragma once
// Internal: reader.join of core.csv. A second table joined by key onto every record, so content columns
// (MovieLens movies.csv: title, genres by movieId) can feed a block. One row per key in the second
// table; a key without a row there is an error naming the record, or empty fields when asked.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapt/data/csv.h"
#include "adapt/data/reader.h"

namespace adapt {

struct JoinOptions {
  std::string path;                  // the second table
  std::string on;                    // key column, in both tables
  std::vector<std::string> columns;  // of the second table to add; empty: all but the key
  bool missing_is_error = true;      // false: a key without a row gets empty fields
  CsvOptions csv;                    // how to read the second table
};

// The records with the second table's columns added (in place of a copy: tables can be large).
void join_table(Records& records, const JoinOptions& options);

class JoinedReader : public Reader {
 public:
  JoinedReader(std::shared_ptr<const Reader> base, JoinOptions options);
  Records read() const override;
  Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const override;
  // The input columns the join adds are replaced by its key.
  std::vector<std::string> predict_columns(const std::vector<std::string>& input_columns) const override;
  // Joins the second table onto records that hold the key but not its columns.
  void complete(Records& records) const override;

 private:
  // The columns the join adds; without `columns` given, the second table's header is read once.
  const std::vector<std::string>& joined_columns() const;

  std::shared_ptr<const Reader> base_;
  JoinOptions options_;
  mutable std::once_flag joined_once_;
  mutable std::vector<std::string> joined_;
};

}  // namespace adapt
