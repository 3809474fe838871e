#pragma once
// recsys.temporal: a global time cut-off. Interactions at or after the test cut-off go to test, those at
// or after the valid cut-off (and before the test one) to valid, the rest to train. Cut-offs are given
// as timestamps, or as fractions of the rows (the latest valid_pct / test_pct); rows sharing the
// boundary timestamp stay together on the later side, so no event is split from its twin.
#include <adapt/data/splitter.h>

#include <optional>

namespace adapt::recsys {

class TemporalSplit : public Splitter {
 public:
  struct Settings {
    std::string timestamp_column = "timestamp";
    double valid_pct = 0.2, test_pct = 0.0;
    std::optional<double> valid_cutoff, test_cutoff;
  };
  explicit TemporalSplit(Settings settings);
  static OptionSchema schema();
  static std::shared_ptr<TemporalSplit> create(const Options& options);
  SplitIndices split(const Records& records) const override;

 private:
  Settings s_;
};

}  // namespace adapt::recsys
