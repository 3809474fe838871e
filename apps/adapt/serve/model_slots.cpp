#include "model_slots.h"

#include <chrono>

#include <adapt/common/error.h>

namespace adapt::serve {
namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

nlohmann::json describe(const ServedModel& m) {
  nlohmann::json out = {{"file", m.file.string()}, {"loaded_at", m.loaded_at}};
  const std::string name = m.predictor->recipe().value("name", "");
  if (!name.empty()) out["name"] = name;  // recipes may leave it out
  return out;
}

}  // namespace

ModelSlots::ModelSlots(const ServeOptions& options, const Registry& registry, ServeMetrics& metrics)
    : options_(options), registry_(registry), metrics_(metrics) {
  auto set = std::make_shared<ModelSet>();
  set->model = load("model", options_.model_file);
  if (options_.mode != CandidateMode::none) set->candidate = load("candidate", options_.candidate_file);
  current_ = std::move(set);
}

std::shared_ptr<ServedModel> ModelSlots::load(const std::string& role, const std::filesystem::path& file) const {
  auto served = std::make_shared<ServedModel>();
  served->role = role;
  served->file = file;
  auto predictor = std::make_shared<const Predictor>(Predictor::load(file, registry_));
  served->predictor = predictor;
  served->input_columns = predictor->blocks()->input_columns();
  const json& reader = predictor->recipe().at("reader");
  served->reader = reader.is_object() ? reader.value("name", "") : reader.is_string() ? reader.get<std::string>() : "";
  served->loaded_at = unix_now();
  ServeMetrics& metrics = metrics_;
  served->batcher = std::make_unique<Batcher>(
      [predictor](const Records& records) { return predictor->predict(records); }, options_.batching,
      [&metrics, role](size_t n, const std::vector<const JobResult*>& results) {
        metrics.batch(role, n);
        for (const JobResult* r : results)
          if (r->status == 200) metrics.predictions(role, r->predictions);
      });
  metrics_.model_loaded(role, file.string(), served->loaded_at, &predictor->monitor().drift);
  return served;
}

std::shared_ptr<const ModelSet> ModelSlots::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

void ModelSlots::reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mutex_);
  auto set = std::make_shared<ModelSet>();
  try {
    set->model = load("model", options_.model_file);
    if (options_.mode != CandidateMode::none) set->candidate = load("candidate", options_.candidate_file);
  } catch (const std::exception& e) {
    metrics_.reload(false);
    const auto running = current();
    metrics_.model_loaded("model", running->model->file.string(), running->model->loaded_at,
                          &running->model->predictor->monitor().drift);
    if (running->candidate)
      metrics_.model_loaded("candidate", running->candidate->file.string(), running->candidate->loaded_at,
                            &running->candidate->predictor->monitor().drift);
    std::lock_guard<std::mutex> lock(mutex_);
    last_reload_ = {{"ok", false}, {"at", unix_now()}, {"error", e.what()}};
    throw Error(std::string("reload failed, the running exports keep serving: ") + e.what());
  }
  metrics_.reload(true);
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(set);  // the old set goes when its last request lets go of it
  last_reload_ = {{"ok", true}, {"at", unix_now()}};
}

void ModelSlots::stop() {
  std::shared_ptr<const ModelSet> last;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last = std::move(current_);
  }
  last.reset();  // the batchers drain and join here, outside the lock
}

nlohmann::json ModelSlots::status() const {
  const auto set = current();
  nlohmann::json out = {{"model", describe(*set->model)}};
  if (set->candidate) out["candidate"] = describe(*set->candidate);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!last_reload_.is_null()) out["last_reload"] = last_reload_;
  return out;
}

}  // namespace adapt::serve
