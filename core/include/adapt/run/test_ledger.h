#pragma once
// TestLedger: how often a test part has been scored. A test score is an unbiased estimate only the
// first time it is looked at; every later look is a chance to tune on it. The ledger is one JSON file
// in the user's cache folder, keyed by the data's fingerprint and the test rows, shared by every run
// of the user (an flock makes concurrent runs count correctly).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "adapt/common/error.h"
#include "adapt/common/options.h"

namespace adapt {

// $XDG_CACHE_HOME/adapt/test_ledger.json (or ~/.cache/adapt/...).
ADAPT_API std::filesystem::path default_test_ledger_file();

// One line on a run's test part from its record ({"rows", "sealed", "scored"}: metrics.json's
// "test_part"): sealed, absent, or how often it has been scored; the results table and report.html say it.
ADAPT_API std::string test_part_line(const json& status);

// "<data hash>/<hash of the sorted test rows>": the same rows of the same data, whatever the recipe.
ADAPT_API std::string test_part_key(const std::string& data_hash, std::vector<size_t> test_rows);

class ADAPT_API TestLedger {
 public:
  explicit TestLedger(std::filesystem::path file = default_test_ledger_file());
  // How often the test part `key` has been scored so far (0: never).
  int64_t count(const std::string& key) const;
  // Counts one more scoring of `key` (with `source` and the time, for the user who reads the file)
  // and returns the new count. Throws Error naming the file when it cannot be read or written.
  int64_t record(const std::string& key, const std::string& source);
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace adapt
