#pragma once
// The share of each value among the last N observed (predicted labels, shadow agreement): what the
// traffic looks like now, not since start-up, so a shift shows within one window.
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace adapt::serve {

class SlidingWindow {
 public:
  explicit SlidingWindow(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  void add(const std::string& value);
  // value -> share of the window (summing to 1); empty before the first value.
  std::map<std::string, double> shares() const;
  std::map<std::string, size_t> counts() const;
  size_t size() const;

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<std::string> values_;
  std::map<std::string, size_t> counts_;
};

}  // namespace adapt::serve
