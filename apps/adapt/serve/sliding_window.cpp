#include "sliding_window.h"

namespace adapt::serve {

void SlidingWindow::add(const std::string& value) {
  std::lock_guard<std::mutex> lock(mutex_);
  values_.push_back(value);
  ++counts_[value];
  if (values_.size() > capacity_) {
    auto it = counts_.find(values_.front());
    if (--it->second == 0) counts_.erase(it);
    values_.pop_front();
  }
}

std::map<std::string, double> SlidingWindow::shares() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, double> out;
  for (const auto& [value, count] : counts_)
    out[value] = static_cast<double>(count) / static_cast<double>(values_.size());
  return out;
}

std::map<std::string, size_t> SlidingWindow::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counts_;
}

size_t SlidingWindow::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return values_.size();
}

}  // namespace adapt::serve
