#include "serve_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

namespace adapt::serve_test {
namespace {

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// fork + exec of the adapt binary with stdout/stderr to files; the plugin cache in scratch.
pid_t spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  const std::string cache = (scratch_dir() / "cache").string();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  std::vector<char*> argv;
  std::string program = ADAPT_CLI;
  argv.push_back(program.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  ::_exit(127);
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

fs::path scratch_dir() {
  static const fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "adapt_serve_test_XXXXXX").string();
    return fs::path(::mkdtemp(pattern.data()));
  }();
  return dir;
}

ProcessResult run_adapt(const std::vector<std::string>& args) {
  static std::atomic<int> counter{0};
  const int n = counter++;
  const fs::path out = scratch_dir() / ("run" + std::to_string(n) + ".out");
  const fs::path err = scratch_dir() / ("run" + std::to_string(n) + ".err");
  ProcessResult r;
  r.code = wait_exit(spawn(args, out, err));
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

fs::path data_path(const std::string& relative) {
  const char* root = std::getenv("ADAPT_DATA_DIR");
  if (!root || !*root) return {};
  const fs::path path = fs::path(root) / relative;
  return fs::exists(path) ? path : fs::path();
}

fs::path cached_export(const std::string& name, const std::vector<std::string>& args, const std::string& key,
                       const std::string& subdir) {
  // A rebuilt core may write exports differently: its time is part of the key.
  const auto built = fs::last_write_time(fs::path(ADAPT_TEST_BINARY_DIR) / "lib" / "libadapt_core.so");
  const std::string full_key = key + "\n" + std::to_string(built.time_since_epoch().count());
  const fs::path dir = fs::path(ADAPT_TEST_BINARY_DIR) / "serve-test-models" /
                       (name + "-" + std::to_string(std::hash<std::string>{}(full_key) % 1000000007));
  const fs::path model = dir / subdir / "model.adapt";
  if (fs::exists(model)) return model;
  // Each ServeHttp test is a ctest entry of its own, and two may train the same model at once: each
  // trains into a folder of its own, renamed into place; the one that loses the race uses the other's.
  const fs::path own = dir.string() + ".training-" + std::to_string(::getpid());
  fs::remove_all(own);
  std::vector<std::string> command = args;
  command.insert(command.end(), {"--out", own.string(), "--threads", "2"});
  const ProcessResult r = run_adapt(command);
  EXPECT_EQ(r.code, 0) << r.err;
  std::error_code taken;
  fs::rename(own, dir, taken);
  if (taken) fs::remove_all(own);
  return model;
}

fs::path trained_model(const std::string& name, const json& recipe) {
  const fs::path recipe_file = scratch_dir() / (name + ".json");
  std::ofstream(recipe_file) << recipe.dump(2);
  return cached_export(name, {"train", recipe_file.string(), "--force"}, recipe.dump());
}

ServeProcess::ServeProcess(const fs::path& model, const std::vector<std::string>& extra) {
  static std::atomic<int> counter{0};
  const int n = counter++;
  out_ = scratch_dir() / ("serve" + std::to_string(n) + ".out");
  err_ = scratch_dir() / ("serve" + std::to_string(n) + ".err");
  std::vector<std::string> args = {"serve", model.string(), "--port", "0"};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = spawn(args, out_, err_);
  const std::regex listening("listening on http://[^:]+:([0-9]+)");
  for (int i = 0; i < 600 && port_ == 0; ++i) {  // up to 60 s: loading LibTorch and the plugins
    std::smatch m;
    const std::string out = slurp(out_);
    if (std::regex_search(out, m, listening)) port_ = std::stoi(m[1]);
    else if (!running()) break;
    else std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (port_ == 0) ADD_FAILURE() << "adapt serve did not start: " << slurp(err_);
}

ServeProcess::~ServeProcess() { stop(); }

bool ServeProcess::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return false;
}

httplib::Client ServeProcess::client() const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(60, 0);
  return c;
}

std::pair<int, json> ServeProcess::predict(const json& body) const {
  auto c = client();
  auto res = c.Post("/v1/predict", body.dump(), "application/json");
  if (!res) return {-1, json()};
  return {res->status, json::parse(res->body, nullptr, false)};
}

std::string ServeProcess::metrics() const {
  auto c = client();
  auto res = c.Get("/metrics");
  return res ? res->body : "";
}

std::string ServeProcess::log() const { return slurp(err_); }

int ServeProcess::stop() {
  if (!running()) return exit_code_;
  ::kill(pid_, SIGTERM);
  exit_code_ = wait_exit(pid_);
  pid_ = -1;
  return exit_code_;
}

double metric_value(const std::string& metrics, const std::string& series) {
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

}  // namespace adapt::serve_test
