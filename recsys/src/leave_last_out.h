#pragma once
// recsys.leave_last_out: per user, the latest n_test interactions (by timestamp, ties by file order)
// go to test, the n_valid before them to valid, the rest to train. Users with too few interactions to
// keep min_train in train stay entirely in train, so every evaluated user has a history.
#include <adapt/data/splitter.h>

namespace adapt::recsys {

class LeaveLastOut : public Splitter {
 public:
  LeaveLastOut(std::string user_column, std::string timestamp_column, int64_t n_valid, int64_t n_test,
               int64_t min_train);
  static OptionSchema schema();
  SplitIndices split(const Records& records) const override;

 private:
  std::string user_column_, timestamp_column_;
  int64_t n_valid_, n_test_, min_train_;
};

// Numeric timestamps of every row; throws DataError naming the record when one is not a number.
std::vector<double> parse_timestamps(const Records& records, const std::string& column, const std::string& component);

}  // namespace adapt::recsys
