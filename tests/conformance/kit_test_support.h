#pragma once
// For the tests that prove the kit catches broken components: the failures a check reports, captured
// instead of failing the test (gtest-spi's reporter: EXPECT_NONFATAL_FAILURE demands exactly one
// failure, and some breakages rightly trip several checks), and small hand-made records.
#include <adapt/testing/conformance.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace conformance_test {

using adapt::json;

// The messages of the failures `check` reports on this thread.
template <typename F>
std::vector<std::string> failures_of(F&& check) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    check();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) messages.push_back(results.GetTestPartResult(i).message());
  return messages;
}

// Some failure mentions every fragment (all failures are printed otherwise).
inline void expect_caught(const std::vector<std::string>& failures, const std::vector<std::string>& fragments) {
  for (const auto& message : failures) {
    bool all = true;
    for (const auto& f : fragments) all = all && message.find(f) != std::string::npos;
    if (all) return;
  }
  std::string shown;
  for (const auto& message : failures) shown += "\n---\n" + message;
  std::string wanted;
  for (const auto& f : fragments) wanted += " \"" + f + "\"";
  ADD_FAILURE() << "no failure mentions" << wanted << "; the check reported " << failures.size() << ":" << shown;
}

// Rows of a numeric column "x" and a label column "y", one per value.
inline adapt::Records numbers(const std::vector<double>& values, const std::string& source = "hand-made") {
  adapt::Records records({"x", "y"}, source);
  for (size_t i = 0; i < values.size(); ++i)
    records.add_row({std::to_string(values[i]), i % 2 ? "odd" : "even"}, source + ":" + std::to_string(i + 1));
  return records;
}

}  // namespace conformance_test
