// Real data (ADAPT_DATA_DIR; skipped without it): the SMS Spam classifier and the UCI Adult tabular
// model, trained by `adapt train` with small budgets (the recipes of tests/text/test_text_real_data.cpp
// and tests/tabular/test_adult.cpp, shrunk), then served. Predictions over HTTP must equal
// `adapt predict`'s bit for bit, while the server batches requests together.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "serve_process.h"

namespace adapt::serve_test {
namespace {

json sms_recipe(const fs::path& file) {
  return {
      {"seed", 42},
      {"reader",
       {{"name", "text.csv"}, {"path", file.string()}, {"delimiter", "tab"}, {"header", false},
        {"column_names", {"label", "text"}}, {"quoting", false}, {"drop_duplicates", true}}},
      {"splitter", {{"name", "core.stratified"}, {"column", "label"}, {"valid_pct", 0.0}, {"test_pct", 0.2}}},
      {"inputs", {{{"name", "text.tokens"}, {"vocab_size", 2000}, {"max_tokens", 100}}}},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"loader", {{"batch_size", 64}, {"sampler", "bucket"}}},
      {"model",
       {{"name", "text.awd_lstm_classifier"}, {"emb_size", 32}, {"hidden_size", 32}, {"n_layers", 1},
        {"bidirectional", true}, {"drop_mult", 0.3}}},
      {"metrics", {"core.accuracy"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 1}, {"lr", 5e-3}}},
  };
}

const std::vector<std::string> kAdultColumns = {
    "age",        "workclass",  "fnlwgt",        "education",    "education-num",  "marital-status",
    "occupation", "relationship", "race",        "sex",          "capital-gain",   "capital-loss",
    "hours-per-week", "native-country", "income"};

json adult_recipe(const fs::path& dir, int seed) {
  return {
      {"seed", seed},
      {"reader",
       {{"name", "tabular.csv"}, {"path", (dir / "adult.data").string()}, {"header", false},
        {"column_names", kAdultColumns}, {"comment", "|"}, {"strip_suffix", "."}, {"valid_pct", 0.2}}},
      {"splitter", {{"name", "core.by_column"}, {"column", "split"}}},
      {"inputs",
       {{{"name", "tabular.table"},
         {"cat_names", {"workclass", "education", "marital-status", "occupation", "relationship", "race", "sex",
                        "native-country"}},
         {"cont_names", {"age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"}},
         {"log_names", {"fnlwgt", "capital-gain", "capital-loss"}}}}},
      {"target", {{"name", "core.category"}, {"column", "income"}}},
      {"loader", {{"batch_size", 256}}},
      {"model", {{"name", "tabular.model"}, {"layers", {64, 32}}}},
      {"metrics", {"core.accuracy"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 1}, {"lr", 1e-2}}},
  };
}

fs::path sms_model() {
  const fs::path file = data_path("text/sms-spam-collection/SMSSpamCollection");
  return file.empty() ? fs::path() : trained_model("sms", sms_recipe(file));
}

fs::path adult_model(int seed = 42) {
  const fs::path dir = data_path("tabular/uci-adult");
  return dir.empty() ? fs::path() : trained_model("adult" + std::to_string(seed), adult_recipe(dir, seed));
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// SMS texts (none starting with '-', which the command line would take for an option).
std::vector<std::string> sms_texts(size_t n) {
  std::ifstream in(data_path("text/sms-spam-collection/SMSSpamCollection"));
  std::vector<std::string> out;
  std::string line;
  while (out.size() < n && std::getline(in, line)) {
    const std::string text = line.substr(line.find('\t') + 1);
    if (!text.empty() && text[0] != '-') out.push_back(text);
  }
  return out;
}

// Rows of adult.test as the CSV lines adapt predict takes.
std::vector<std::string> adult_rows(size_t n) {
  std::ifstream in(data_path("tabular/uci-adult") / "adult.test");
  std::vector<std::string> out;
  std::string line;
  while (out.size() < n && std::getline(in, line))
    if (!line.empty() && line[0] != '|') out.push_back(line);
  return out;
}

// The same row as an object of column values.
json adult_object(const std::string& row) {
  json object = json::object();
  std::stringstream fields(row);
  std::string field;
  for (size_t c = 0; std::getline(fields, field, ','); ++c) object[kAdultColumns.at(c)] = trim(field);
  return object;
}

std::vector<json> adapt_predict(const fs::path& model, const std::vector<std::string>& inputs) {
  std::vector<std::string> args = {"predict", "--json", model.string()};
  args.insert(args.end(), inputs.begin(), inputs.end());
  const ProcessResult r = run_adapt(args);
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<json> out;
  for (const auto& item : json::parse(r.out)) out.push_back(item["prediction"]);
  return out;
}

// Sends items[i] in requests of 1-4 inputs from 8 threads at once, so the server batches requests
// together; returns each item's prediction.
std::vector<json> predict_concurrently(const ServeProcess& server, const std::vector<json>& items) {
  std::vector<json> out(items.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&, t] {
      for (;;) {
        const size_t size = 1 + (next.load() + static_cast<size_t>(t)) % 4;
        const size_t start = next.fetch_add(size);
        if (start >= items.size()) return;
        const size_t end = std::min(items.size(), start + size);
        json body = {{"inputs", json::array()}};
        for (size_t i = start; i < end; ++i) body["inputs"].push_back(items[i]);
        auto [status, answer] = server.predict(body);
        ASSERT_EQ(status, 200) << answer.dump();
        for (size_t i = start; i < end; ++i) out[i] = answer["predictions"][i - start]["prediction"];
      }
    });
  for (auto& c : clients) c.join();
  return out;
}

TEST(ServeRealData, SmsPredictionsOverHttpEqualAdaptPredict) {
  if (data_path("text/sms-spam-collection").empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to run";
  const fs::path model = sms_model();
  const auto texts = sms_texts(300);
  const auto expected = adapt_predict(model, texts);
  ASSERT_EQ(expected.size(), texts.size());
  ServeProcess server(model, {"--max-delay-ms", "5", "--threads", "2"});
  const auto got = predict_concurrently(server, std::vector<json>(texts.begin(), texts.end()));
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(got[i], expected[i]) << texts[i];
  // Requests were batched together, not one at a time.
  const std::string metrics = server.metrics();
  EXPECT_LT(metric_value(metrics, "adapt_serve_batch_size_count{model=\"model\"}"), 300) << metrics;
}

TEST(ServeRealData, AdultPredictionsOverHttpEqualAdaptPredict) {
  if (data_path("tabular/uci-adult").empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to run";
  const fs::path model = adult_model();
  const auto rows = adult_rows(300);
  const auto expected = adapt_predict(model, rows);
  ASSERT_EQ(expected.size(), rows.size());
  ServeProcess server(model, {"--max-delay-ms", "5"});
  std::vector<json> items;
  for (size_t i = 0; i < rows.size(); ++i) items.push_back(i % 2 ? json(rows[i]) : adult_object(rows[i]));
  const auto got = predict_concurrently(server, items);
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(got[i], expected[i]) << rows[i];
}

TEST(ServeRealData, ShadowLogHoldsTheCandidatesAnswersNeverReturned) {
  if (data_path("tabular/uci-adult").empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to run";
  const fs::path model = adult_model(), candidate = adult_model(7);
  const auto rows = adult_rows(60);
  const auto from_model = adapt_predict(model, rows), from_candidate = adapt_predict(candidate, rows);
  const fs::path log = scratch_dir() / "shadow.jsonl";
  ServeProcess server(model, {"--shadow", candidate.string(), "--shadow-log", log.string()});
  std::map<std::string, size_t> row_of_request;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto [status, answer] = server.predict({{"inputs", {rows[i]}}});
    ASSERT_EQ(status, 200) << answer.dump();
    EXPECT_EQ(answer["served_by"], "model");
    EXPECT_EQ(answer["predictions"][0]["prediction"], from_model[i]);
    row_of_request[answer["request_id"]] = i;
  }
  std::vector<json> lines;
  for (int wait = 0; wait < 100 && lines.size() < rows.size(); ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lines.clear();
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  }
  ASSERT_EQ(lines.size(), rows.size());
  size_t agreed = 0;
  for (const auto& line : lines) {
    const size_t i = row_of_request.at(line["request_id"]);
    EXPECT_EQ(line["candidate"]["predictions"][0], from_candidate[i]) << line.dump();
    EXPECT_EQ(line["model"]["predictions"][0], from_model[i]) << line.dump();
    const bool same = from_model[i]["label"] == from_candidate[i]["label"];
    EXPECT_EQ(line["agree"][0].get<bool>(), same);
    agreed += same;
  }
  const std::string metrics = server.metrics();
  EXPECT_EQ(metric_value(metrics, "adapt_serve_shadow_compared_total"), 60) << metrics;
  EXPECT_EQ(metric_value(metrics, "adapt_serve_shadow_agreed_total"), static_cast<double>(agreed)) << metrics;
  EXPECT_DOUBLE_EQ(metric_value(metrics, "adapt_serve_shadow_agreement_ratio"), agreed / 60.0);
}

TEST(ServeRealData, CanaryAnswersTenPercentOfKeysStickily) {
  if (data_path("tabular/uci-adult").empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to run";
  const fs::path model = adult_model(), candidate = adult_model(7);
  const std::string row = adult_rows(1).front();
  const json from_model = adapt_predict(model, {row}).front(), from_candidate = adapt_predict(candidate, {row}).front();
  ServeProcess server(model, {"--canary", candidate.string(), "--canary-pct", "10"});
  constexpr int kRequests = 2000;
  std::vector<std::string> served(kRequests);
  std::atomic<int> next{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&] {
      for (int i = next++; i < kRequests; i = next++) {
        auto [status, answer] = server.predict({{"inputs", {row}}, {"key", "user-" + std::to_string(i)}});
        ASSERT_EQ(status, 200) << answer.dump();
        served[i] = answer["served_by"];
        EXPECT_EQ(answer["predictions"][0]["prediction"], served[i] == "candidate" ? from_candidate : from_model);
      }
    });
  for (auto& c : clients) c.join();
  const auto canary = std::count(served.begin(), served.end(), "candidate");
  EXPECT_NEAR(canary / double(kRequests), 0.10, 0.02) << canary << " of " << kRequests;
  for (int i = 0; i < 300; ++i) {  // the same key, the same model
    auto [status, answer] = server.predict({{"inputs", {row}}, {"key", "user-" + std::to_string(i)}});
    EXPECT_EQ(answer["served_by"], served[i]) << i;
  }
  EXPECT_EQ(metric_value(server.metrics(), "adapt_serve_routed_total{model=\"candidate\"}"), canary + std::count(served.begin(), served.begin() + 300, "candidate"));
}

TEST(ServeRealData, ReloadUnderLoadDropsNothing) {
  if (data_path("text/sms-spam-collection").empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to run";
  const fs::path model = sms_model();
  const auto texts = sms_texts(50);
  ServeProcess server(model);
  std::atomic<bool> done{false};
  std::atomic<int> answered{0}, failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); !done; ++i) {
        const int status = server.predict({{"inputs", {texts[i % texts.size()]}}}).first;
        (status == 200 ? answered : failed)++;
      }
    });
  auto c = server.client();
  for (int r = 0; r < 4; ++r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    if (r % 2) {
      ::kill(server.pid(), SIGHUP);
    } else {
      auto reload = c.Post("/admin/reload", "", "application/json");
      ASSERT_TRUE(reload);
      EXPECT_EQ(reload->status, 200) << reload->body;
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  done = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(answered.load(), 100);
  EXPECT_EQ(metric_value(server.metrics(), "adapt_serve_reloads_total{result=\"ok\"}"), 4) << server.log();
}

}  // namespace
}  // namespace adapt::serve_test
