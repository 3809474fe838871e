#pragma once
// The exports being served (the model, and the candidate in shadow or canary mode), each with its
// batcher, behind one pointer swapped on reload: a request holds the set it started with, so the
// old exports answer every request they took while the new ones load and take over.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <adapt/export/export.h>

#include "batcher.h"
#include "serve_metrics.h"
#include "serve_options.h"

namespace adapt::serve {

struct ServedModel {
  std::string role;  // "model" or "candidate", as in metrics and responses
  std::filesystem::path file;
  std::shared_ptr<const Predictor> predictor;
  std::vector<std::string> input_columns;
  std::string reader;  // the recipe's reader component, e.g. "text.csv"
  double loaded_at = 0.0;  // unix time
  std::unique_ptr<Batcher> batcher;  // declared last: stopped first, while the predictor lives
};

struct ModelSet {
  std::shared_ptr<ServedModel> model, candidate;  // candidate: null without --shadow/--canary
};

class ModelSlots {
 public:
  // Loads the exports; throws adapt::Error naming a file that does not load.
  ModelSlots(const ServeOptions& options, const Registry& registry, ServeMetrics& metrics);
  std::shared_ptr<const ModelSet> current() const;
  // Loads every export again from its file. On success the new set serves from now on; on failure
  // the running set keeps serving, the failure is counted and kept for /healthz, and Error is thrown.
  void reload();
  // Files, load times and the last reload's outcome, for /healthz.
  nlohmann::json status() const;
  // Answers every queued job (the shadow's too) and stops the workers; current() is null after.
  void stop();

 private:
  std::shared_ptr<ServedModel> load(const std::string& role, const std::filesystem::path& file) const;

  ServeOptions options_;
  const Registry& registry_;
  ServeMetrics& metrics_;
  mutable std::mutex mutex_;         // guards current_ and last_reload_
  std::mutex reload_mutex_;          // one reload at a time
  std::shared_ptr<const ModelSet> current_;
  nlohmann::json last_reload_;
};

}  // namespace adapt::serve
