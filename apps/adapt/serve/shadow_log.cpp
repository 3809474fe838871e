#include "shadow_log.h"

#include <adapt/common/error.h>

#include "serve_metrics.h"

namespace adapt::serve {

ShadowLog::ShadowLog(const std::filesystem::path& file) : file_(file), out_(file, std::ios::app) {
  if (!out_) throw Error("--shadow-log: cannot open " + file.string() + " for appending; give a writable file");
}

void ShadowLog::write(const nlohmann::json& line) {
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(mutex_);
  out_ << text << "\n";
  out_.flush();  // a line per request, readable while the server runs
}

namespace {

nlohmann::json answer(const JobResult& r) {
  if (r.status != 200) return {{"status", r.status}, {"error", r.error}};
  return {{"status", 200}, {"predictions", r.predictions}};
}

}  // namespace

bool ShadowPair::set_model(const JobResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  model_ = result;
  have_model_ = true;
  return complete_locked();
}

bool ShadowPair::set_candidate(const JobResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  candidate_ = result;
  have_candidate_ = true;
  return complete_locked();
}

bool ShadowPair::complete_locked() {
  if (!have_model_ || !have_candidate_) return false;
  nlohmann::json line = head_;
  line["model"] = answer(model_);
  line["candidate"] = answer(candidate_);
  if (model_.status == 200 && candidate_.status == 200 && model_.predictions.size() == candidate_.predictions.size()) {
    nlohmann::json agree = nlohmann::json::array();
    for (size_t i = 0; i < model_.predictions.size(); ++i) {
      const auto& a = model_.predictions[i];
      const auto& b = candidate_.predictions[i];
      // Classifiers agree on the label; other outputs only when equal.
      const bool labelled = prediction_label(a) != "(value)";
      const bool same = labelled ? prediction_label(a) == prediction_label(b) : a == b;
      agree.push_back(same);
      ++compared_;
      agreed_ += same ? 1 : 0;
    }
    line["agree"] = agree;
  }
  log_.write(line);
  return true;
}

}  // namespace adapt::serve
