#pragma once
// Dynamic batching for one loaded model: requests enqueue their records; one worker thread takes
// requests until it holds max_batch records or the first one has waited max_delay, then predicts
// them (each request alone, or all in one call with merge_requests) and answers each request.
// One thread per model keeps LibTorch single-caller.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <adapt/data/records.h>
#include <nlohmann/json.hpp>

#include "serve_options.h"

namespace adapt::serve {

using nlohmann::json;

// What a job ended with: predictions, or an HTTP status and the reason.
struct JobResult {
  std::vector<json> predictions;
  int status = 200;  // 400: the model could not use the input; 500: the model failed
  std::string error;
};

class BatchJob {
 public:
  explicit BatchJob(Records records) : records_(std::move(records)) {}
  const Records& records() const { return records_; }
  // Waits for the result; false when `timeout` passed first (the job is then abandoned and skipped
  // if no batch has taken it yet).
  bool wait_for(std::chrono::milliseconds timeout, JobResult& result);
  // Runs on the worker thread once the result is in (shadow comparison).
  void on_done(std::function<void(const JobResult&)> callback) { callback_ = std::move(callback); }
  // Keeps request-owned resources (audio files) alive until the worker is done with them.
  void keep_alive(std::shared_ptr<const void> resource) { keep_alive_ = std::move(resource); }
  bool abandoned() const;
  void finish(JobResult result);

 private:
  Records records_;
  mutable std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false, abandoned_ = false;
  JobResult result_;
  std::function<void(const JobResult&)> callback_;
  std::shared_ptr<const void> keep_alive_;
};

class Batcher {
 public:
  using PredictFn = std::function<std::vector<json>(const Records&)>;
  // Called on the worker thread after each batch: records predicted, and their results.
  using BatchObserver = std::function<void(size_t n_records, const std::vector<const JobResult*>& results)>;

  Batcher(PredictFn predict, BatchingOptions options, BatchObserver observer = {});
  // Answers every job still queued, then stops the worker.
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // False when the queue is full (the caller answers 503).
  bool submit(const std::shared_ptr<BatchJob>& job);
  size_t queued() const;

 private:
  void run();
  std::vector<std::shared_ptr<BatchJob>> take_batch(std::unique_lock<std::mutex>& lock);
  void predict_batch(const std::vector<std::shared_ptr<BatchJob>>& jobs);
  std::vector<JobResult> predict_merged(const std::vector<std::shared_ptr<BatchJob>>& jobs) const;

  PredictFn predict_;
  BatchingOptions options_;
  BatchObserver observer_;
  mutable std::mutex mutex_;
  std::condition_variable queue_cv_;
  std::deque<std::pair<std::shared_ptr<BatchJob>, std::chrono::steady_clock::time_point>> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

// The rows of several jobs as one Records, by column name (readers may order columns differently).
// Throws DataError when a job lacks a column of the first.
Records merge_records(const std::vector<std::shared_ptr<BatchJob>>& jobs);

}  // namespace adapt::serve
