#include "server.h"

#include <httplib.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <c10/util/Exception.h>

#include <chrono>

#include <adapt/common/error.h>

#include "request_inputs.h"

namespace adapt::serve {
namespace {

using Clock = std::chrono::steady_clock;

// cpp-httplib 0.11 listens with a backlog of 5: 64 clients connecting at once overflow it and wait
// for the kernel's one-second SYN retry. listen() again on the bound socket widens the backlog.
class HttpServer : public httplib::Server {
 public:
  void widen_backlog() { ::listen(svr_sock_, SOMAXCONN); }
};

void reply(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void reply_error(httplib::Response& response, int status, const std::string& id, const std::string& message) {
  reply(response, status, {{"error", message}, {"request_id", id}});
}

void reply_predictions(httplib::Response& response, const std::string& id, const std::string& role,
                       std::vector<json>& results) {
  json predictions = json::array();
  // Each prediction is an object so that per-input fields (an out-of-domain score) can join it.
  for (auto& p : results) predictions.push_back({{"prediction", std::move(p)}});
  response.set_header("X-Served-By", role);
  reply(response, 200, {{"request_id", id}, {"served_by", role}, {"predictions", std::move(predictions)}});
}

JobResult failed(int status, const std::string& message) {
  JobResult r;
  r.status = status;
  r.error = message;
  return r;
}

// The message of an error a reader throws: a DataError or OptionError is the input's fault (400).
int read_status(const std::exception& e) {
  return dynamic_cast<const DataError*>(&e) || dynamic_cast<const OptionError*>(&e) ? 400 : 500;
}

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "adapt-serve-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw Error("cannot create a temporary folder under " + std::filesystem::temp_directory_path().string() +
                " for audio inputs; set TMPDIR to a writable folder");
  return pattern;
}

// Routes known to the metrics; anything else counts as "other", so no client can grow the series.
std::string route_of(const std::string& path) {
  for (const char* route : {"/v1/predict", "/healthz", "/metrics", "/admin/reload"})
    if (path == route) return route;
  return "other";
}

std::string error_for_status(const httplib::Request& request, int status, size_t max_body) {
  // httplib refuses a POST that says nothing of its length (`curl -X POST` without -d).
  if (status == 400 && request.method == "POST" && !request.has_header("Content-Length") &&
      request.get_header_value("Transfer-Encoding") != "chunked")
    return "a POST needs a Content-Length header, 0 for no body (curl: add -d '')";
  // httplib reads a form-encoded body (curl -d without a Content-Type) only up to 8 KiB, whatever
  // the limit: the body is JSON, so say that rather than blame --max-body-bytes.
  if (status == 413 && request.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0)
    return "a form-encoded body is read only up to " + std::to_string(CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH) +
           " bytes; send the JSON with Content-Type: application/json (curl: -H 'Content-Type: application/json')";
  switch (status) {
    case 404: return "no such route; the routes are POST /v1/predict, GET /healthz, GET /metrics, POST /admin/reload";
    case 405: return "method not allowed on this route";
    case 413: return "the body is larger than the server's limit of " + std::to_string(max_body) +
                     " bytes (--max-body-bytes); send fewer inputs per request";
    case 414: return "the request line is too long";
    default: return "the HTTP request could not be read (" + std::to_string(status) + ")";
  }
}

}  // namespace

Server::Server(const ServeOptions& options, ModelSlots& slots, ServeMetrics& metrics)
    : options_(options), slots_(slots), metrics_(metrics), router_(options.canary_pct),
      http_(std::make_unique<HttpServer>()), temp_dir_(make_temp_dir()) {
  if (options_.mode == CandidateMode::shadow) shadow_log_ = std::make_unique<ShadowLog>(options_.shadow_log);
  id_prefix_ = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000000) + "-";
  routes();
}

Server::~Server() {
  // The shadow's queued jobs still write to the shadow log and read audio files: finish them first.
  slots_.stop();
  std::error_code ec;
  std::filesystem::remove_all(temp_dir_, ec);
}

std::string Server::next_request_id() { return id_prefix_ + std::to_string(requests_.fetch_add(1) + 1); }

void Server::routes() {
  const int threads = options_.http_threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_keep_alive_max_count(100000);  // load clients reuse connections; closing every 5 costs a reconnect
  http_->set_keep_alive_timeout(5);
  http_->set_read_timeout(10);  // a client that stops sending mid-request frees its thread after this
  http_->set_write_timeout(10);
  http_->set_tcp_nodelay(true);
  const auto timed = [this](const char* route, auto handler) {
    return [this, route, handler](const httplib::Request& request, httplib::Response& response) {
      const auto start = Clock::now();
      handler(request, response);
      metrics_.request(route, response.status, std::chrono::duration<double>(Clock::now() - start).count());
    };
  };
  http_->Post("/v1/predict", timed("/v1/predict", [this](const httplib::Request& q, httplib::Response& r) {
                predict(q, r);
              }));
  http_->Get("/healthz", timed("/healthz", [this](const httplib::Request&, httplib::Response& r) { health(r); }));
  http_->Get("/metrics", timed("/metrics", [this](const httplib::Request&, httplib::Response& r) {
               r.set_content(metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
             }));
  http_->Post("/admin/reload", timed("/admin/reload", [this](const httplib::Request&, httplib::Response& r) {
                admin_reload(r);
              }));
  // Errors httplib answers itself (404, 413, a malformed request line) get a JSON reason too.
  const size_t max_body = options_.max_body_bytes;
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this, max_body](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        reply(response, response.status, {{"error", error_for_status(request, response.status, max_body)}});
        metrics_.request(route_of(request.path), response.status, 0.0);  // handlers' answers have bodies
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_->set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr ep) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      message = std::string("internal error: ") + e.what();
    } catch (...) {
    }
    reply(response, 500, {{"error", message}});
  });
}

int Server::bind() {
  const int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                                      : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port <= 0)
    throw Error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                " (in use, or not an address of this machine); choose another --port or --host");
  static_cast<HttpServer&>(*http_).widen_backlog();
  return port;
}

void Server::listen() { http_->listen_after_bind(); }

void Server::stop() { http_->stop(); }

void Server::reload() { slots_.reload(); }

void Server::health(httplib::Response& response) {
  json body = slots_.status();
  body["status"] = "ok";
  body["mode"] = options_.mode == CandidateMode::shadow   ? "shadow"
                 : options_.mode == CandidateMode::canary ? "canary"
                                                          : "single";
  if (options_.mode == CandidateMode::canary) body["canary_pct"] = options_.canary_pct;
  reply(response, 200, body);
}

void Server::admin_reload(httplib::Response& response) {
  try {
    slots_.reload();
    json body = slots_.status();
    body["reloaded"] = true;
    reply(response, 200, body);
  } catch (const std::exception& e) {
    json body = slots_.status();
    body["reloaded"] = false;
    body["error"] = e.what();
    reply(response, 500, body);
  }
}

void Server::shadow(const ModelSet& set, const std::vector<std::string>& raw, const std::shared_ptr<const void>& files,
                    const std::string& id, const std::string& key, std::shared_ptr<ShadowPair>& pair) {
  json head = {{"request_id", id},
               {"time", std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()},
               {"model_file", set.model->file.string()},
               {"candidate_file", set.candidate->file.string()}};
  if (!key.empty()) head["key"] = key;
  pair = std::make_shared<ShadowPair>(std::move(head), *shadow_log_);
  ServeMetrics& metrics = metrics_;
  const auto finish = [&metrics](ShadowPair& p) { metrics.shadow(p.compared(), p.agreed()); };
  std::shared_ptr<BatchJob> job;
  try {
    job = std::make_shared<BatchJob>(set.candidate->predictor->read_inputs(raw));
  } catch (const std::exception& e) {
    metrics_.shadow_failed("input");
    if (pair->set_candidate(failed(read_status(e), e.what()))) finish(*pair);
    return;
  }
  job->keep_alive(files);
  std::shared_ptr<ShadowPair> shared = pair;
  job->on_done([shared, finish, &metrics](const JobResult& result) {
    if (result.status != 200) metrics.shadow_failed("model");
    if (shared->set_candidate(result)) finish(*shared);
  });
  if (!set.candidate->batcher->submit(job)) {
    metrics_.shadow_failed("queue_full");
    if (pair->set_candidate(failed(503, "the candidate's queue was full; not shadowed"))) finish(*pair);
  }
}

void Server::predict(const httplib::Request& request, httplib::Response& response) {
  const std::string id = next_request_id();
  response.set_header("X-Request-Id", id);
  const auto set = slots_.current();
  RequestInputs inputs;
  try {
    const InputLimits limits{options_.max_inputs, temp_dir_, set->model->reader};
    inputs = parse_request(request.body, set->model->input_columns, limits, id);
  } catch (const BadRequest& e) {
    return reply_error(response, 400, id, e.what());
  } catch (const std::exception& e) {
    return reply_error(response, 500, id, e.what());
  }
  const std::string key = inputs.key.empty() ? request.get_header_value("X-Request-Key") : inputs.key;
  const ServedModel& serving = route(*set, key);
  std::shared_ptr<BatchJob> job;
  try {
    job = std::make_shared<BatchJob>(serving.predictor->read_inputs(inputs.raw));
  } catch (const std::exception& e) {
    const int status = read_status(e);
    return reply_error(response, status,
                       id, (status == 400 ? "the model cannot read these inputs: " : "") + std::string(e.what()));
  }
  job->keep_alive(inputs.files);
  std::shared_ptr<ShadowPair> pair;
  if (!serving.batcher->submit(job)) {
    metrics_.queue_full(serving.role);
    response.set_header("Retry-After", "1");
    return reply_error(response, 503, id, "the server is at capacity (the " + serving.role +
                                              "'s queue is full, --max-queue); retry shortly");
  }
  metrics_.queue_depth(serving.role, serving.batcher->queued());
  if (options_.mode == CandidateMode::shadow) shadow(*set, inputs.raw, inputs.files, id, key, pair);
  JobResult result;
  const bool in_time = job->wait_for(options_.timeout, result);
  if (!in_time) result = failed(504, "no answer within " + std::to_string(options_.timeout.count()) +
                                         " ms (--timeout-ms); the server is overloaded or the input is very large");
  if (pair && pair->set_model(result)) metrics_.shadow(pair->compared(), pair->agreed());
  if (result.status != 200) return reply_error(response, result.status, id, result.error);
  metrics_.routed(serving.role);
  reply_predictions(response, id, serving.role, result.predictions);
}

const ServedModel& Server::route(const ModelSet& set, const std::string& key) {
  if (options_.mode != CandidateMode::canary) return *set.model;
  return router_.to_candidate(key.empty() ? router_.random_key() : key) ? *set.candidate : *set.model;
}

}  // namespace adapt::serve
