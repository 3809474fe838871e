#pragma once
// Test support: runs the `adapt` binary (train, predict, serve) as a user would, and talks to a
// running `adapt serve` over real HTTP (httplib::Client).
#include <signal.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace adapt::serve_test {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path scratch_dir();  // one per test process, under TMPDIR

struct ProcessResult {
  int code = -1;
  std::string out, err;
};
// `adapt ARGS...` without a shell (arguments may hold any text); stdout and stderr captured.
ProcessResult run_adapt(const std::vector<std::string>& args);

// The shared data folder, or empty when ADAPT_DATA_DIR is unset or lacks `relative`.
fs::path data_path(const std::string& relative);

// model.adapt of `adapt ARGS... --out DIR`, run once: each test is its own process, so the export is
// kept in the build tree under a key of the arguments and of the adapt build that made it.
// `key` says what the arguments make (a recipe's text; paths in `args` may differ between runs).
fs::path cached_export(const std::string& name, const std::vector<std::string>& args, const std::string& key,
                       const std::string& subdir = "");
// Trains `recipe` with `adapt train` (through cached_export); returns model.adapt.
fs::path trained_model(const std::string& name, const json& recipe);

// A running `adapt serve`; stopped with SIGTERM (and waited for) on destruction.
class ServeProcess {
 public:
  // Starts `adapt serve MODEL --port 0 EXTRA...` and waits until it listens (fails the test if not).
  ServeProcess(const fs::path& model, const std::vector<std::string>& extra = {});
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const;
  httplib::Client client() const;
  // POST /v1/predict with `body`; {status, parsed body} (status -1 when the connection failed).
  std::pair<int, json> predict(const json& body) const;
  std::string metrics() const;
  std::string log() const;  // the server's stderr so far
  int stop();                // SIGTERM, wait; the exit code

 private:
  mutable pid_t pid_ = -1;  // -1 once the process is reaped
  mutable int exit_code_ = -1;
  int port_ = 0;
  fs::path out_, err_;
};

// The value of one Prometheus series ("name{labels}"), or -1 when absent.
double metric_value(const std::string& metrics, const std::string& series);

}  // namespace adapt::serve_test
