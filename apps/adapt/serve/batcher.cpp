#include "batcher.h"

#include <c10/util/Exception.h>

#include <adapt/common/error.h>

namespace adapt::serve {

bool BatchJob::wait_for(std::chrono::milliseconds timeout, JobResult& result) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!done_cv_.wait_for(lock, timeout, [&] { return done_; })) {
    abandoned_ = true;
    return false;
  }
  result = result_;
  return true;
}

bool BatchJob::abandoned() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return abandoned_;
}

void BatchJob::finish(JobResult result) {
  // What the inputs needed (their audio files) goes before the waiter wakes: once a request is
  // answered, its files are gone (released after, a busy machine showed them to the client).
  keep_alive_.reset();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    result_ = std::move(result);
    done_ = true;
  }
  done_cv_.notify_all();
  if (callback_) callback_(result_);
}

Records merge_records(const std::vector<std::shared_ptr<BatchJob>>& jobs) {
  const Records& first = jobs.front()->records();
  Records merged(first.column_names(), "requests");
  for (const auto& job : jobs) {
    const Records& r = job->records();
    std::vector<size_t> index;
    for (const auto& name : first.column_names()) index.push_back(r.column_index(name));
    for (size_t row = 0; row < r.size(); ++row) {
      std::vector<std::string> fields;
      fields.reserve(index.size());
      for (size_t c : index) fields.push_back(r.at(row, c));
      merged.add_row(std::move(fields), r.origin(row));
    }
  }
  return merged;
}

Batcher::Batcher(PredictFn predict, BatchingOptions options, BatchObserver observer)
    : predict_(std::move(predict)), options_(options), observer_(std::move(observer)) {
  worker_ = std::thread([this] { run(); });
}

Batcher::~Batcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  worker_.join();
}

bool Batcher::submit(const std::shared_ptr<BatchJob>& job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= options_.max_queue) return false;
    queue_.emplace_back(job, std::chrono::steady_clock::now());
  }
  queue_cv_.notify_one();
  return true;
}

size_t Batcher::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

std::vector<std::shared_ptr<BatchJob>> Batcher::take_batch(std::unique_lock<std::mutex>& lock) {
  const auto records_queued = [&] {
    size_t n = 0;
    for (const auto& entry : queue_) n += entry.first->records().size();
    return n;
  };
  // The first request waits at most max_delay for others to fill the batch.
  const auto deadline = queue_.front().second + options_.max_delay;
  queue_cv_.wait_until(lock, deadline, [&] {
    return stopping_ || records_queued() >= static_cast<size_t>(options_.max_batch);
  });
  std::vector<std::shared_ptr<BatchJob>> jobs;
  size_t n = 0;
  while (!queue_.empty()) {
    const auto& job = queue_.front().first;
    const size_t size = job->records().size();
    // A request larger than max_batch goes alone; others fill up to max_batch.
    if (!jobs.empty() && n + size > static_cast<size_t>(options_.max_batch)) break;
    if (!job->abandoned()) {
      jobs.push_back(job);
      n += size;
    }
    queue_.pop_front();
  }
  return jobs;
}

void Batcher::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and every job answered
    auto jobs = take_batch(lock);
    if (jobs.empty()) continue;
    lock.unlock();
    predict_batch(jobs);
    lock.lock();
  }
}

namespace {

JobResult failure(int status, const std::string& message) {
  JobResult r;
  r.status = status;
  r.error = message;
  return r;
}

// Predictions for `records`, or the status and reason: bad data is the client's (400), the rest ours.
JobResult predict_or_fail(const Batcher::PredictFn& predict, const Records& records) {
  try {
    JobResult r;
    r.predictions = predict(records);
    return r;
  } catch (const DataError& e) {
    return failure(400, std::string("the model cannot use this input: ") + e.what());
  } catch (const OptionError& e) {
    return failure(400, std::string("the model cannot use this input: ") + e.what());
  } catch (const c10::Error& e) {
    return failure(500, std::string("the model failed: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return failure(500, std::string("the model failed: ") + e.what());
  }
}

}  // namespace

void Batcher::predict_batch(const std::vector<std::shared_ptr<BatchJob>>& jobs) {
  std::vector<JobResult> results;
  size_t n_records = 0;
  for (const auto& job : jobs) n_records += job->records().size();
  if (options_.merge_requests && jobs.size() > 1) results = predict_merged(jobs);
  // Each request alone: its bits do not depend on what it was batched with.
  else
    for (const auto& job : jobs) results.push_back(predict_or_fail(predict_, job->records()));
  if (observer_) {
    std::vector<const JobResult*> seen;
    for (const auto& r : results) seen.push_back(&r);
    observer_(n_records, seen);
  }
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i]->finish(std::move(results[i]));
}

std::vector<JobResult> Batcher::predict_merged(const std::vector<std::shared_ptr<BatchJob>>& jobs) const {
  JobResult all;
  size_t n_records = 0;
  try {
    Records merged = merge_records(jobs);
    n_records = merged.size();
    all = predict_or_fail(predict_, merged);
  } catch (const std::exception& e) {
    all = failure(400, e.what());
  }
  std::vector<JobResult> results;
  if (all.status != 200 || all.predictions.size() != n_records) {
    // One bad request must not fail the others batched with it: each on its own finds the culprit.
    for (const auto& job : jobs) results.push_back(predict_or_fail(predict_, job->records()));
    return results;
  }
  size_t start = 0;
  for (const auto& job : jobs) {
    JobResult r;
    const size_t n = job->records().size();
    r.predictions.assign(all.predictions.begin() + static_cast<std::ptrdiff_t>(start),
                         all.predictions.begin() + static_cast<std::ptrdiff_t>(start + n));
    start += n;
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace adapt::serve
