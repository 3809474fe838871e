// Real data (ADAPT_DATA_DIR; skipped without it): the SMS Spam classifier and the UCI Adult tabular
// model, trained by `adapt train` with small budgets (the recipes of tests/text/test_text_real_data.cpp
// and tests/tabular/test_adult.cpp, shrunk), then served. Predictions over HTTP must equal
// `adapt predict`'s bit for bit, while the server batches requests together.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
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
       {{"name", "text.awd_lstm_classifier"}, {"emb_size", 32}, {"hidden_size", 48}, {"n_layers", 1},
        {"bidirectional", true}, {"drop_mult", 0.3}}},
      {"metrics", {"core.accuracy"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 3}, {"lr", 1e-2}}},
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

// `inputs` in groups of `group` inputs, with each group's predictions from `adapt predict`.
struct Groups {
  std::vector<json> bodies;
  std::vector<std::vector<json>> expected;
};

Groups groups_of(const fs::path& model, const std::vector<std::string>& raw, const std::vector<json>& items,
                 size_t group) {
  Groups g;
  for (size_t start = 0; start < raw.size(); start += group) {
    const size_t end = std::min(raw.size(), start + group);
    g.bodies.push_back({{"inputs", std::vector<json>(items.begin() + start, items.begin() + end)}});
    g.expected.push_back(adapt_predict(model, std::vector<std::string>(raw.begin() + start, raw.begin() + end)));
  }
  return g;
}

// 8 clients at once, each sending every group `rounds` times, so requests wait and are taken
// together; `check` sees each answer beside `adapt predict`'s for the same inputs.
void send_concurrently(const ServeProcess& server, const Groups& groups, int rounds,
                       const std::function<void(const json& got, const json& expected)>& check) {
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r)
        for (size_t k = 0; k < groups.bodies.size(); ++k) {
          const size_t g = (k + static_cast<size_t>(t)) % groups.bodies.size();
          auto [status, answer] = server.predict(groups.bodies[g]);
          ASSERT_EQ(status, 200) << answer.dump();
          for (size_t i = 0; i < groups.expected[g].size(); ++i)
            check(answer["predictions"][i]["prediction"], groups.expected[g][i]);
        }
    });
  for (auto& c : clients) c.join();
}

void exactly_equal(const json& got, const json& expected) { EXPECT_EQ(got, expected); }

// With --merge-requests the labels agree and the probabilities differ in the last bits at most.
void nearly_equal(const json& got, const json& expected) {
  EXPECT_EQ(got["label"], expected["label"]);
  for (const auto& [label, p] : expected["probabilities"].items())
    EXPECT_NEAR(got["probabilities"][label].get<double>(), p.get<double>(), 1e-6) << label;
}

TEST(ServeRealData, SmsPredictionsOverHttpEqualAdaptPredict) {
  if (data_path("text/sms-spam-collection").empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to run";
  const fs::path model = sms_model();
  const auto texts = sms_texts(120);
  const Groups groups = groups_of(model, texts, std::vector<json>(texts.begin(), texts.end()), 3);
  {
    ServeProcess server(model, {"--max-delay-ms", "5", "--threads", "2"});
    send_concurrently(server, groups, 1, exactly_equal);
    // Taken together: fewer worker cycles than requests.
    EXPECT_LT(metric_value(server.metrics(), "adapt_serve_batch_size_count{model=\"model\"}"), 8 * 40);
  }
  ServeProcess merging(model, {"--max-delay-ms", "5", "--threads", "2", "--merge-requests"});
  send_concurrently(merging, groups, 1, nearly_equal);
}

TEST(ServeRealData, AdultPredictionsOverHttpEqualAdaptPredict) {
  if (data_path("tabular/uci-adult").empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to run";
  const fs::path model = adult_model();
  const auto rows = adult_rows(200);
  std::vector<json> items;  // rows as CSV lines and as objects by column name, alternately
  for (size_t i = 0; i < rows.size(); ++i) items.push_back(i % 2 ? json(rows[i]) : adult_object(rows[i]));
  const Groups groups = groups_of(model, rows, items, 20);
  ServeProcess server(model, {"--max-delay-ms", "5"});
  send_concurrently(server, groups, 2, exactly_equal);
  ServeProcess merging(model, {"--max-delay-ms", "5", "--merge-requests"});
  send_concurrently(merging, groups, 2, nearly_equal);
}

TEST(ServeRealData, ShadowLogHoldsTheCandidatesAnswersNeverReturned) {
  if (data_path("tabular/uci-adult").empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to run";
  const fs::path model = adult_model(), candidate = adult_model(7);
  const auto rows = adult_rows(60);
  const std::vector<json> items(rows.begin(), rows.end());
  const Groups from_model = groups_of(model, rows, items, 20), from_candidate = groups_of(candidate, rows, items, 20);
  const fs::path log = scratch_dir() / "shadow.jsonl";
  ServeProcess server(model, {"--shadow", candidate.string(), "--shadow-log", log.string()});
  std::map<std::string, size_t> group_of_request;
  for (int round = 0; round < 5; ++round)
    for (size_t g = 0; g < from_model.bodies.size(); ++g) {
      auto [status, answer] = server.predict(from_model.bodies[g]);
      ASSERT_EQ(status, 200) << answer.dump();
      EXPECT_EQ(answer["served_by"], "model");
      for (size_t i = 0; i < 20; ++i) EXPECT_EQ(answer["predictions"][i]["prediction"], from_model.expected[g][i]);
      group_of_request[answer["request_id"]] = g;
    }
  const size_t n_requests = group_of_request.size();
  std::vector<json> lines;
  for (int wait = 0; wait < 100 && lines.size() < n_requests; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lines.clear();
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  }
  ASSERT_EQ(lines.size(), n_requests);
  size_t agreed = 0;
  for (const auto& line : lines) {
    const size_t g = group_of_request.at(line["request_id"]);
    for (size_t i = 0; i < 20; ++i) {
      EXPECT_EQ(line["candidate"]["predictions"][i], from_candidate.expected[g][i]) << line.dump();
      EXPECT_EQ(line["model"]["predictions"][i], from_model.expected[g][i]) << line.dump();
      const bool same = from_model.expected[g][i]["label"] == from_candidate.expected[g][i]["label"];
      EXPECT_EQ(line["agree"][i].get<bool>(), same);
      agreed += same;
    }
  }
  const std::string metrics = server.metrics();
  const double compared = static_cast<double>(n_requests * 20);
  EXPECT_EQ(metric_value(metrics, "adapt_serve_shadow_compared_total"), compared) << metrics;
  EXPECT_EQ(metric_value(metrics, "adapt_serve_shadow_agreed_total"), static_cast<double>(agreed)) << metrics;
  EXPECT_DOUBLE_EQ(metric_value(metrics, "adapt_serve_shadow_agreement_ratio"), agreed / compared);
  EXPECT_LT(agreed, n_requests * 20) << "two seeds should disagree somewhere, or the test shows nothing";
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
  EXPECT_EQ(metric_value(server.metrics(), "adapt_serve_routed_total{model=\"candidate\"}"),
            canary + std::count(served.begin(), served.begin() + 300, "candidate"));
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
