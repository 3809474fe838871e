// The parts of `adapt serve` that need no HTTP: base64, request parsing, the batcher, the metrics
// text format, the sliding window and the canary's share and stickiness.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <adapt/common/error.h>

#include "base64.h"
#include "batcher.h"
#include "canary_router.h"
#include "metrics_registry.h"
#include "request_inputs.h"
#include "serve_metrics.h"
#include "sliding_window.h"

namespace adapt::serve {
namespace {

TEST(ServeBase64, RoundTripsEveryLengthAndRefusesOtherText) {
  std::string bytes;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(decode_base64(encode_base64(bytes)).value(), bytes) << i;
    bytes.push_back(static_cast<char>(i * 37 + 200));
  }
  EXPECT_EQ(encode_base64("RIFF"), "UklGRg==");
  EXPECT_EQ(decode_base64("UklGRg").value(), "RIFF");  // padding optional
  EXPECT_FALSE(decode_base64("not base64!"));
  EXPECT_FALSE(decode_base64("A"));
}

std::vector<std::string> parse(const std::string& body, std::vector<std::string> columns = {"text"}) {
  return parse_request(body, columns, {8, "/tmp", "text.csv"}, "t").raw;
}

std::string refusal(const std::string& body, std::vector<std::string> columns = {"text"}) {
  try {
    parse(body, columns);
  } catch (const BadRequest& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ServeRequest, StringsRowsAndObjectsBecomeTheRawInputsOfAdaptPredict) {
  EXPECT_EQ(parse(R"({"inputs": ["win a prize", "see you"]})"), (std::vector<std::string>{"win a prize", "see you"}));
  // The one column of a one-column model: its value as is.
  EXPECT_EQ(parse(R"({"inputs": [{"text": "a, b"}]})"), std::vector<std::string>{"a, b"});
  // Several columns: name=value pairs, quoted where the value holds a comma or a quote.
  EXPECT_EQ(parse(R"({"inputs": [{"age": 39, "job": "a, \"b\"", "x": null}]})", {"age", "job", "x"}),
            std::vector<std::string>{R"(age=39,"job=a, ""b""",x=)"});
  EXPECT_EQ(parse_request(R"({"inputs": ["x"], "key": "user-7"})", {"text"}, {8, "/tmp", "text.csv"}, "t").key,
            "user-7");
}

TEST(ServeRequest, BadBodiesAreRefusedWithTheReason) {
  EXPECT_NE(refusal("{not json").find("not JSON"), std::string::npos);
  EXPECT_NE(refusal("[1]").find("JSON object"), std::string::npos);
  EXPECT_NE(refusal("{}").find("no \"inputs\""), std::string::npos);
  EXPECT_NE(refusal(R"({"inputs": "x"})").find("must be an array"), std::string::npos);
  EXPECT_NE(refusal(R"({"inputs": []})").find("empty"), std::string::npos);
  EXPECT_NE(refusal(R"({"inputs": [1]})").find("inputs[0] is number"), std::string::npos);
  EXPECT_NE(refusal(R"({"inputs": ["a"], "key": 3})").find("\"key\" is number"), std::string::npos);
  EXPECT_NE(refusal(R"({"inputs": ["a"], "extra": 1})").find("unknown field \"extra\""), std::string::npos);
  EXPECT_NE(refusal(R"({"inputs": [{"a": [1]}]})", {"a", "b"}).find("inputs[0].a is array"), std::string::npos);
  EXPECT_NE(refusal(R"({"inputs": ["1","2","3","4","5","6","7","8","9"]})").find("at most 8"), std::string::npos);
  EXPECT_NE(refusal(R"({"inputs": [{"wav_base64": "UklGRg=="}]})").find("does not read audio"), std::string::npos);
  // A path on the server is never read for a client.
  EXPECT_NE(refusal(R"({"inputs": ["/etc/passwd"]})").find("names a file on the server"), std::string::npos);
}

TEST(ServeRequest, AudioIsWrittenToAPrivateFileThatGoesWithTheRequest) {
  const auto dir = std::filesystem::temp_directory_path();
  const InputLimits limits{8, dir, "audio.folder"};
  std::filesystem::path file;
  {
    RequestInputs in = parse_request(R"({"inputs": [{"wav_base64": "UklGRg=="}]})", {"path"}, limits, "unit");
    file = in.raw.at(0);
    ASSERT_TRUE(std::filesystem::exists(file));
    EXPECT_EQ(std::filesystem::file_size(file), 4u);
  }
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_THROW(parse_request(R"({"inputs": [{"wav_base64": "%%"}]})", {"path"}, limits, "unit"), BadRequest);
}

Records rows(const std::vector<std::string>& values) {
  Records r({"x"}, "test");
  for (const auto& v : values) r.add_row({v});
  return r;
}

// merge: one predict call per batch; otherwise one per request, in batches all the same.
void check_batching(bool merge) {
  std::atomic<int> calls{0};
  std::vector<size_t> sizes;
  std::mutex mutex;
  BatchingOptions options;
  options.max_batch = 64;
  options.max_delay = std::chrono::milliseconds(50);
  options.merge_requests = merge;
  Batcher batcher(
      [&](const Records& r) {
        ++calls;
        std::vector<json> out;
        for (size_t i = 0; i < r.size(); ++i) out.push_back(r.at(i, "x"));
        return out;
      },
      options, [&](size_t n, const std::vector<const JobResult*>&) {
        std::lock_guard<std::mutex> lock(mutex);
        sizes.push_back(n);
      });
  std::vector<std::shared_ptr<BatchJob>> jobs;
  for (int i = 0; i < 8; ++i) {
    jobs.push_back(std::make_shared<BatchJob>(rows({std::to_string(i) + "a", std::to_string(i) + "b"})));
    ASSERT_TRUE(batcher.submit(jobs.back()));
  }
  for (int i = 0; i < 8; ++i) {
    JobResult r;
    ASSERT_TRUE(jobs[i]->wait_for(std::chrono::seconds(5), r));
    EXPECT_EQ(r.predictions, (std::vector<json>{std::to_string(i) + "a", std::to_string(i) + "b"}));
  }
  EXPECT_LT(sizes.size(), 8u);  // taken together, not one at a time
  if (merge) EXPECT_EQ(calls.load(), static_cast<int>(sizes.size()));
  else EXPECT_EQ(calls.load(), 8);
}

TEST(ServeBatcher, TakesConcurrentRequestsTogetherAndGivesEachItsOwnAnswer) { check_batching(false); }
TEST(ServeBatcher, MergedBatchesGiveEachRequestItsSlice) { check_batching(true); }

TEST(ServeBatcher, OneBadRequestFailsAloneAndAFullQueueRefuses) {
  BatchingOptions options;
  options.max_delay = std::chrono::milliseconds(20);
  options.max_queue = 3;
  options.merge_requests = true;  // alone, a bad request fails alone trivially
  Batcher batcher(
      [](const Records& r) {
        for (size_t i = 0; i < r.size(); ++i)
          if (r.at(i, "x") == "bad") throw DataError("row " + std::to_string(i) + " is bad");
        return std::vector<json>(r.size(), json("ok"));
      },
      options);
  auto good = std::make_shared<BatchJob>(rows({"a"}));
  auto bad = std::make_shared<BatchJob>(rows({"bad"}));
  auto other = std::make_shared<BatchJob>(rows({"b", "c"}));
  ASSERT_TRUE(batcher.submit(good));
  ASSERT_TRUE(batcher.submit(bad));
  ASSERT_TRUE(batcher.submit(other));
  EXPECT_FALSE(batcher.submit(std::make_shared<BatchJob>(rows({"d"}))));
  JobResult r;
  ASSERT_TRUE(bad->wait_for(std::chrono::seconds(5), r));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.error.find("is bad"), std::string::npos);
  ASSERT_TRUE(good->wait_for(std::chrono::seconds(5), r));
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(other->wait_for(std::chrono::seconds(5), r));
  EXPECT_EQ(r.predictions.size(), 2u);
}

TEST(ServeMetricsFormat, RendersCountersGaugesAndCumulativeHistograms) {
  MetricsRegistry m;
  m.add_counter("c_total", "a counter");
  m.add_gauge("g", "a gauge");
  m.add_histogram("h", "a histogram", {1, 5});
  m.increment("c_total", {{"code", "200"}}, 2);
  m.set("g", {{"label", "say \"hi\""}}, 0.25);
  for (double v : {0.5, 3.0, 9.0}) m.observe("h", {{"model", "m"}}, v);
  const std::string text = m.render();
  EXPECT_NE(text.find("# TYPE c_total counter\nc_total{code=\"200\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("g{label=\"say \\\"hi\\\"\"} 0.25"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{model=\"m\",le=\"1\"} 1\nh_bucket{model=\"m\",le=\"5\"} 2\n"
                      "h_bucket{model=\"m\",le=\"+Inf\"} 3\nh_sum{model=\"m\"} 12.5\nh_count{model=\"m\"} 3"),
            std::string::npos)
      << text;
  EXPECT_THROW(m.increment("g"), std::logic_error);
}

TEST(ServeSlidingWindow, SharesCoverTheLastValuesOnly) {
  SlidingWindow w(4);
  for (const char* v : {"spam", "spam", "spam", "spam", "ham", "ham"}) w.add(v);
  EXPECT_DOUBLE_EQ(w.shares().at("ham"), 0.5);
  EXPECT_DOUBLE_EQ(w.shares().at("spam"), 0.5);
  EXPECT_EQ(w.size(), 4u);
}

// The drift gauges test the last window against the export's reference: a window like the reference
// keeps adapt_serve_drift at 0; spam jumping from 13% to 60% with many out-of-domain flags sets it.
TEST(ServeMetricsDrift, TheLastWindowIsTestedAgainstTheReference) {
  DriftReference reference;
  reference.set_labels({{"ham", 870}, {"spam", 130}});
  reference.set_expected_out_of_domain(0.05, 1000);
  ServeMetrics metrics(200);
  metrics.model_loaded("model", "model.adapt", 0.0, &reference);
  auto feed = [&](int spam_per_100, int out_per_100) {
    std::vector<nlohmann::json> predictions;
    for (int i = 0; i < 200; ++i)
      predictions.push_back({{"label", i % 100 < spam_per_100 ? "spam" : "ham"}, {"in_domain", i % 100 >= out_per_100}});
    metrics.predictions("model", predictions);
  };
  EXPECT_EQ(metrics.render().find("adapt_serve_drift{"), std::string::npos);  // an empty window is not tested
  feed(13, 5);
  std::string text = metrics.render();
  EXPECT_NE(text.find("adapt_serve_drift{model=\"model\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("adapt_serve_drift_p_value{model=\"model\",test=\"predicted_labels\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("adapt_serve_drift_p_value{model=\"model\",test=\"out_of_domain_share\"} 1\n"),
            std::string::npos)
      << text;
  feed(60, 30);  // the window now holds only the drifted predictions
  text = metrics.render();
  EXPECT_NE(text.find("adapt_serve_drift{model=\"model\"} 1\n"), std::string::npos) << text;
  metrics.model_loaded("model", "other.adapt", 1.0, nullptr);  // an export without a reference: no gauges
  EXPECT_EQ(metrics.render().find("adapt_serve_drift{"), std::string::npos);
}

TEST(ServeCanary, AnswersItsShareOfKeysAndTheSameKeysEveryTime) {
  CanaryRouter router(10.0);
  int to_candidate = 0;
  for (int i = 0; i < 20000; ++i) to_candidate += router.to_candidate("user-" + std::to_string(i));
  EXPECT_NEAR(to_candidate / 20000.0, 0.10, 0.01);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(router.to_candidate("user-" + std::to_string(i)),
              CanaryRouter(10.0).to_candidate("user-" + std::to_string(i)));
  EXPECT_FALSE(CanaryRouter(0.0).to_candidate("anyone"));
  EXPECT_TRUE(CanaryRouter(100.0).to_candidate("anyone"));
}

}  // namespace
}  // namespace adapt::serve
