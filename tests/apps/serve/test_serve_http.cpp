// `adapt serve` driven over real HTTP: status codes and messages for bad input and faults, limits,
// reload failures, metrics. The model is the tabular plugin's demo export (synthetic data), so these
// run on any machine.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <thread>

#include "base64.h"
#include "serve_process.h"

namespace adapt::serve_test {
namespace {

fs::path demo_model() {
  return cached_export("tabular-demo", {"demo", "tabular"}, "tabular demo", "tabular.demo");
}

const json kRow = {{"age", 52},           {"workclass", "Self-emp"},      {"education", "Masters"},
                   {"marital_status", "Married"}, {"occupation", "Exec-managerial"}, {"sex", "Male"},
                   {"hours_per_week", 55}, {"capital_gain", 15000},         {"interview_date", "2023-12-15"}};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A raw TCP client: sends `bytes`, reads the answer when `read_answer`, and hangs up.
std::string send_raw(int port, const std::string& bytes, bool read_answer) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()) && read_answer) {
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
      answer.append(buffer, static_cast<size_t>(n));
      if (answer.find("}") != std::string::npos) break;
    }
  }
  ::close(fd);
  return answer;
}

void send_and_hang_up(int port, const std::string& bytes) { send_raw(port, bytes, false); }

TEST(ServeHttp, PredictsHealthAndMetrics) {
  ServeProcess server(demo_model());
  auto [status, body] = server.predict({{"inputs", {kRow, "age=23,workclass=Private,sex=Female"}}});
  ASSERT_EQ(status, 200) << body.dump();
  ASSERT_EQ(body["predictions"].size(), 2u);
  EXPECT_TRUE(body["predictions"][0]["prediction"].contains("label"));
  EXPECT_TRUE(body["predictions"][0]["prediction"].contains("ood_score")) << body.dump();
  EXPECT_EQ(body["served_by"], "model");
  auto health = server.client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body)["mode"], "single");
  const std::string metrics = server.metrics();
  EXPECT_EQ(metric_value(metrics, "adapt_serve_requests_total{route=\"/v1/predict\",code=\"200\"}"), 1) << metrics;
  EXPECT_EQ(metric_value(metrics, "adapt_serve_batch_size_count{model=\"model\"}"), 1) << metrics;
  EXPECT_TRUE(contains(metrics, "adapt_serve_request_duration_seconds_bucket{route=\"/v1/predict\",le=\"+Inf\"} 1"));
  EXPECT_TRUE(contains(metrics, "adapt_serve_predicted_label_share{model=\"model\",label=")) << metrics;
  EXPECT_TRUE(contains(metrics, "adapt_serve_out_of_domain_share{model=\"model\"}")) << metrics;
  auto missing = server.client().Get("/nowhere");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(contains(json::parse(missing->body)["error"], "POST /v1/predict"));
}

TEST(ServeHttp, BadInputsGet400WithTheReasonAndTheServerKeepsServing) {
  ServeProcess server(demo_model());
  auto c = server.client();
  auto malformed = c.Post("/v1/predict", "{\"inputs\": [", "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_TRUE(contains(json::parse(malformed->body)["error"], "not JSON"));
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"inputs", "age=3"}}, "must be an array"},
      {{{"inputs", {42}}}, "inputs[0] is number"},
      {{{"inputs", {kRow}}, {"key", 1}}, "\"key\" is number"},
      {{{"inputs", {{{"age", {1, 2}}}}}}, "inputs[0].age is array"},
      // The plugin's reader refuses a column the table does not have.
      {{{"inputs", {"height=180,age=3"}}}, "height"},
      {{{"inputs", {{{"wav_base64", "UklGRg=="}}}}}, "does not read audio"},
  };
  for (const auto& [body, reason] : cases) {
    auto [status, answer] = server.predict(body);
    EXPECT_EQ(status, 400) << body.dump() << " -> " << answer.dump();
    EXPECT_TRUE(contains(answer.value("error", ""), reason)) << body.dump() << " -> " << answer.dump();
  }
  // A POST without Content-Length (`curl -X POST` without -d) is told what to add.
  const std::string answer =
      send_raw(server.port(), "POST /admin/reload HTTP/1.1\r\nHost: x\r\n\r\n", true);
  EXPECT_TRUE(contains(answer, "400")) << answer;
  EXPECT_TRUE(contains(answer, "Content-Length")) << answer;
  EXPECT_EQ(server.predict({{"inputs", {kRow}}}).first, 200);
  EXPECT_TRUE(server.running());
}

TEST(ServeHttp, BodiesOverTheLimitGet413) {
  ServeProcess server(demo_model(), {"--max-body-bytes", "2000"});
  json big = {{"inputs", json::array()}};
  for (int i = 0; i < 40; ++i) big["inputs"].push_back(kRow);
  auto [status, answer] = server.predict(big);
  EXPECT_EQ(status, 413);
  EXPECT_TRUE(contains(answer.value("error", ""), "--max-body-bytes")) << answer.dump();
  EXPECT_EQ(server.predict({{"inputs", {kRow}}}).first, 200);
  // JSON sent as a form (curl -d without a Content-Type) is cut at httplib's 8 KiB for forms, far
  // below the limit: the answer names the header to send, not --max-body-bytes.
  ServeProcess roomy(demo_model());
  json form = {{"inputs", json::array()}};
  while (form.dump().size() < 10000) form["inputs"].push_back(kRow);
  httplib::Client c("127.0.0.1", roomy.port());
  auto sent = c.Post("/v1/predict", form.dump(), "application/x-www-form-urlencoded");
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 413);
  EXPECT_TRUE(contains(sent->body, "Content-Type: application/json")) << sent->body;
  EXPECT_FALSE(contains(sent->body, "--max-body-bytes")) << sent->body;
}



TEST(ServeHttp, ClientsThatHangUpMidRequestDoNotHurtTheServer) {
  ServeProcess server(demo_model());
  const std::string body = json({{"inputs", {kRow}}}).dump();
  const std::string head = "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  // Half a body, then gone; a whole request, then gone before the answer; half a request line.
  send_and_hang_up(server.port(), head + "Content-Length: 1000\r\n\r\n" + body.substr(0, 10));
  send_and_hang_up(server.port(), head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  send_and_hang_up(server.port(), "POST /v1/pre");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(server.running());
  EXPECT_EQ(server.predict({{"inputs", {kRow}}}).first, 200);
}

TEST(ServeHttp, AFullQueueAnswers503AndASlowAnswer504) {
  ServeProcess server(demo_model(), {"--max-queue", "1", "--max-batch", "1", "--max-delay-ms", "0"});
  json many = {{"inputs", json::array()}};
  for (int i = 0; i < 200; ++i) many["inputs"].push_back(kRow);
  std::atomic<int> ok{0}, busy{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 16; ++t)
    clients.emplace_back([&] {
      for (int i = 0; i < 4; ++i) {
        const int status = server.predict(many).first;
        (status == 200 ? ok : status == 503 ? busy : other)++;
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(busy.load(), 0) << "16 clients at once against a queue of 1";
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(metric_value(server.metrics(), "adapt_serve_queue_rejections_total{model=\"model\"}"), 0);
  server.stop();

  ServeProcess slow(demo_model(), {"--timeout-ms", "1"});
  for (int i = 0; i < 800; ++i) many["inputs"].push_back(kRow);  // 1,000: the most one request may hold
  auto [status, answer] = slow.predict(many);
  EXPECT_EQ(status, 504);
  EXPECT_TRUE(contains(answer.value("error", ""), "--timeout-ms")) << answer.dump();
  EXPECT_TRUE(slow.running());
}

TEST(ServeHttp, ACandidateThatFailsToLoadOnReloadLeavesTheRunningOnesServing) {
  const fs::path candidate = scratch_dir() / "candidate.adapt";
  fs::copy_file(demo_model(), candidate, fs::copy_options::overwrite_existing);
  ServeProcess server(demo_model(), {"--canary", candidate.string(), "--canary-pct", "50"});
  ASSERT_EQ(server.predict({{"inputs", {kRow}}}).first, 200);
  std::ofstream(candidate, std::ios::trunc) << "not an export";
  auto c = server.client();
  auto reload = c.Post("/admin/reload", "", "application/json");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 500);
  const json answer = json::parse(reload->body);
  EXPECT_FALSE(answer["reloaded"].get<bool>());
  EXPECT_TRUE(contains(answer["error"], candidate.string())) << answer.dump();
  EXPECT_TRUE(contains(answer["error"], "keep serving")) << answer.dump();
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(server.predict({{"inputs", {kRow}}, {"key", "user-" + std::to_string(i)}}).first, 200);
  // SIGHUP reloads the same way; the failure is on stderr and in /healthz and /metrics.
  ::kill(server.pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(server.running());
  EXPECT_TRUE(contains(server.log(), "reload failed")) << server.log();
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_FALSE(json::parse(health->body)["last_reload"]["ok"].get<bool>());
  EXPECT_EQ(metric_value(server.metrics(), "adapt_serve_reloads_total{result=\"failed\"}"), 2);
  // Repaired, it loads.
  fs::copy_file(demo_model(), candidate, fs::copy_options::overwrite_existing);
  reload = c.Post("/admin/reload", "", "application/json");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 200) << reload->body;
  EXPECT_EQ(server.stop(), 0);
}

std::string file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The audio plugin's demo export (synthetic WAV files): audio arrives as base64 and is written to a
// private temporary file for the request only.
TEST(ServeHttp, AudioArrivesAsBase64WavAndEqualsAdaptPredict) {
  const fs::path model = cached_export("audio-demo", {"demo", "audio"}, "audio demo", "audio.demo");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(model.parent_path() / "data" / "predict"))
    files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  std::vector<std::string> args = {"predict", "--json", model.string()};
  args.insert(args.end(), files.begin(), files.end());
  const ProcessResult expected = run_adapt(args);
  ASSERT_EQ(expected.code, 0) << expected.err;

  const fs::path temp = scratch_dir() / "audio-tmp";
  fs::create_directories(temp);
  ::setenv("TMPDIR", temp.c_str(), 1);
  ServeProcess server(model);
  ::unsetenv("TMPDIR");
  json body = {{"inputs", json::array()}};
  for (const auto& f : files) body["inputs"].push_back({{"wav_base64", serve::encode_base64(file_bytes(f))}});
  auto [status, answer] = server.predict(body);
  ASSERT_EQ(status, 200) << answer.dump();
  const json from_cli = json::parse(expected.out);
  for (size_t i = 0; i < files.size(); ++i)
    EXPECT_EQ(answer["predictions"][i]["prediction"], from_cli[i]["prediction"]) << files[i];

  // Bytes that are no audio file: the plugin cannot decode them.
  auto [bad_status, bad] = server.predict({{"inputs", {{{"wav_base64", serve::encode_base64("RIFF but no WAV")}}}}});
  EXPECT_EQ(bad_status, 400) << bad.dump();
  EXPECT_TRUE(contains(bad.value("error", ""), "cannot")) << bad.dump();
  // A path is not read for a client, even one the model could read.
  auto [path_status, path_answer] = server.predict({{"inputs", {files.front()}}});
  EXPECT_EQ(path_status, 400);
  EXPECT_TRUE(contains(path_answer.value("error", ""), "names a file on the server")) << path_answer.dump();
  EXPECT_TRUE(server.running());
  // Every request's audio file is gone once it is answered.
  size_t left = 0;
  for (const auto& entry : fs::recursive_directory_iterator(temp)) left += entry.is_regular_file();
  EXPECT_EQ(left, 0u);
}

TEST(ServeHttp, CommandLineMistakesAreUsageErrors) {
  const ProcessResult no_pct = run_adapt({"serve", demo_model().string(), "--port", "0", "--canary", "x.adapt"});
  EXPECT_EQ(no_pct.code, 1);
  EXPECT_TRUE(contains(no_pct.err, "--canary-pct")) << no_pct.err;
  const ProcessResult both = run_adapt(
      {"serve", demo_model().string(), "--port", "0", "--canary", "x.adapt", "--shadow", "y.adapt"});
  EXPECT_EQ(both.code, 2) << both.err;
  const ProcessResult missing = run_adapt({"serve", "missing.adapt", "--port", "0"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_TRUE(contains(missing.err, "missing.adapt")) << missing.err;
}

}  // namespace
}  // namespace adapt::serve_test
