#pragma once
// The HTTP front of `adapt serve` (cpp-httplib): routes, limits and status codes.
//   POST /v1/predict   {"inputs": [...], "key": "..."} -> {"predictions": [{"prediction": ...}], ...}
//   GET  /healthz      the exports served and the last reload
//   GET  /metrics      Prometheus text format
//   POST /admin/reload load the exports again (as SIGHUP does)
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "canary_router.h"
#include "model_slots.h"
#include "serve_metrics.h"
#include "serve_options.h"
#include "shadow_log.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace adapt::serve {

class Server {
 public:
  Server(const ServeOptions& options, ModelSlots& slots, ServeMetrics& metrics);
  ~Server();
  // Binds the address; returns the port (the one chosen with port 0). Throws Error when it cannot.
  int bind();
  // Answers requests until stop(); call bind() first.
  void listen();
  void stop();
  // Loads the exports again; throws Error when one fails to load (the old ones keep serving).
  void reload();

 private:
  void routes();
  void predict(const httplib::Request& request, httplib::Response& response);
  // The export that answers: the candidate for the canary's share of keys, else the model.
  const ServedModel& route(const ModelSet& set, const std::string& key);
  void health(httplib::Response& response);
  void admin_reload(httplib::Response& response);
  void shadow(const ModelSet& set, const std::vector<std::string>& raw, const std::shared_ptr<const void>& files,
              const std::string& id, const std::string& key, std::shared_ptr<ShadowPair>& pair);
  std::string next_request_id();

  ServeOptions options_;
  ModelSlots& slots_;
  ServeMetrics& metrics_;
  CanaryRouter router_;
  std::unique_ptr<ShadowLog> shadow_log_;
  std::unique_ptr<httplib::Server> http_;
  std::filesystem::path temp_dir_;  // audio inputs, private to this process
  std::atomic<uint64_t> requests_{0};
  std::string id_prefix_;
};

}  // namespace adapt::serve
