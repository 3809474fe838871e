#pragma once
// The shadow's answers, one JSON line per shadowed request, beside the model's answers and whether
// they agree; written by whichever of the two finishes last. Never returned to clients.
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "batcher.h"

namespace adapt::serve {

class ShadowLog {
 public:
  // Appends to `file`; throws adapt::Error when it cannot be opened.
  explicit ShadowLog(const std::filesystem::path& file);
  void write(const nlohmann::json& line);
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  std::mutex mutex_;
  std::ofstream out_;
};

// One shadowed request: collects both answers and, with the second, writes the line and returns
// the per-prediction agreement.
class ShadowPair {
 public:
  ShadowPair(nlohmann::json head, ShadowLog& log) : head_(std::move(head)), log_(log) {}
  // Each returns true when it completed the pair (the line is written).
  bool set_model(const JobResult& result);
  bool set_candidate(const JobResult& result);
  // After completion: predictions compared and how many agreed (label equality).
  size_t compared() const { return compared_; }
  size_t agreed() const { return agreed_; }
  bool candidate_failed() const { return candidate_.status != 200; }

 private:
  bool complete_locked();

  nlohmann::json head_;
  ShadowLog& log_;
  std::mutex mutex_;
  bool have_model_ = false, have_candidate_ = false;
  JobResult model_, candidate_;
  size_t compared_ = 0, agreed_ = 0;
};

}  // namespace adapt::serve
