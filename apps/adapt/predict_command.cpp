// `adapt predict`: inputs streamed through an export a chunk at a time, so memory stays bounded
// whatever their count. Table files (.csv, .tsv, .jsonl: table_inputs.h) and `-` (standard input:
// JSON lines, a table with a header naming the model's columns, or one raw input per line) give one
// record per row; other inputs go through the recipe's reader. A row the model cannot read or predict is reported with its
// reason (the error column of --out, or stderr) and the rest go on.
#include <adapt/common/atomic_file.h>
#include <adapt/common/threads.h>
#include <adapt/data/csv.h>
#include <adapt/data/csv_writer.h>
#include <adapt/export/export.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>

#include "commands.h"
#include "table_inputs.h"

namespace adapt::cli {
namespace {

namespace fs = std::filesystem;

// Raw inputs (paths, texts, CSV rows) through the recipe's reader, a chunk at a time.
void stream_raw(const std::vector<std::string>& inputs, const Predictor& predictor,
                const std::function<void(Chunk&&)>& emit) {
  for (size_t start = 0; start < inputs.size(); start += kChunkRows) {
    auto chunk_inputs = std::make_shared<std::vector<std::string>>(
        inputs.begin() + static_cast<std::ptrdiff_t>(start),
        inputs.begin() + static_cast<std::ptrdiff_t>(std::min(inputs.size(), start + kChunkRows)));
    emit({chunk_inputs, [chunk_inputs, &predictor](const std::vector<size_t>& items) {
            std::vector<std::string> picked;
            for (size_t i : items) picked.push_back((*chunk_inputs)[i]);
            return predictor.read_inputs(picked);
          }});
  }
}

// Standard input: JSON lines, a table whose header names the model's columns, or one input per line.
void stream_stdin(const Predictor& predictor, const std::vector<std::string>& columns,
                  const std::function<void(Chunk&&)>& emit) {
  std::string first;
  size_t line = 0;
  while (std::getline(std::cin, first) && blank(strip_cr(first))) ++line;
  ++line;
  strip_cr(first);
  if (blank(first)) return;
  if (first.front() == '{') return stream_table(std::cin, "stdin", "jsonl", columns, emit, first, line);
  for (const char* format : {"csv", "tsv"}) {
    std::vector<std::string> names;
    try {  // the first line as a header
      names = parse_csv(first + "\n", "stdin", CsvOptions().delimiter(*format == 't' ? '\t' : ',')).column_names();
    } catch (const Error&) {
      continue;
    }
    if (std::all_of(columns.begin(), columns.end(),
                    [&](const std::string& c) { return std::count(names.begin(), names.end(), c) > 0; }))
      return stream_table(std::cin, "stdin", format, columns, emit, first, line);
  }
  std::vector<std::string> inputs = {first};
  for (std::string text; std::getline(std::cin, text);) {
    strip_cr(text);
    if (blank(text)) continue;
    inputs.push_back(text);
    if (inputs.size() == kChunkRows) stream_raw(inputs, predictor, emit), inputs.clear();
  }
  stream_raw(inputs, predictor, emit);
}

// The outcomes of a chunk's inputs in input order, formatted by the worker that predicted them into
// one text, each part ending at `end` (strings and JSON dumps per row were 40% of the time of a
// MovieLens rating prediction).
struct ChunkOutput {
  struct Part {
    size_t end;
    bool failed;  // for a failure on stdout, the part is the message for stderr
  };
  std::string text;
  std::vector<Part> parts;
  size_t out_of_domain = 0;  // predictions scored out of domain, or with something unseen in training
  void close_part(bool failed) { parts.push_back({text.size(), failed}); }
};

// A text that JSON values are appended to through one serializer, made once: json::dump() makes a
// serializer (an allocation, a locale query) and a string per call.
class JsonScratch {
 public:
  JsonScratch() : serializer_(nlohmann::detail::output_adapter<char>(text_), ' ') {}
  JsonScratch(const JsonScratch&) = delete;  // the serializer writes into text_
  JsonScratch& operator=(const JsonScratch&) = delete;
  void append(const json& value) { serializer_.dump(value, false, false, 0); }
  void clear() { text_.clear(); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  nlohmann::detail::serializer<json> serializer_;
};

// Where predictions go: stdout (TSV lines or a JSON array) or --out FILE (.csv or .jsonl).
// format() and failure() are const and run on the workers; put() writes on the caller's thread.
class PredictionWriter {
 public:
  PredictionWriter(const Global& global, std::ostream& file, const std::string& format)
      : json_(global.json_output), file_(format.empty() ? nullptr : &file), format_(format) {
    if (format_ == "csv") *file_ << csv_row({"input", "label", "prediction", "ood_score", "in_domain", "error"});
    if (!file_ && json_) std::cout << "[";
  }
  // Appends row r's part; `scratch` holds text between calls, so its buffer is reused.
  void format(ChunkOutput& out, JsonScratch& scratch, const std::string& input, const PredictionColumns& predictions,
              size_t r) const {
    out.out_of_domain += r < predictions.ood_score.size() ? !predictions.in_domain[r] : !predictions.unseen[r].empty();
    if (format_ == "csv") {
      // The out-of-domain fields have their own columns (inside the JSON too, they made a third of a
      // MovieLens rating's file); the columns come apart from the predictor, so no object is taken apart.
      const json& decoded = predictions.decoded[r];
      const bool scored = r < predictions.ood_score.size();
      scratch.clear();
      if (predictions.unseen[r].empty()) {
        scratch.append(decoded);
      } else {  // rare: predict()'s object less the scored fields (without a score, in_domain stays inside)
        json d = predictions.row(r);
        if (scored && d.is_object()) {
          d.erase("ood_score");
          d.erase("in_domain");
        }
        scratch.append(d);
      }
      const size_t prediction_end = scratch.text().size();
      if (scored) scratch.append(predictions.ood_score[r]);
      std::string_view label;
      if (decoded.is_object())
        if (auto it = decoded.find("label"); it != decoded.end() && it->is_string()) label = it->get_ref<const std::string&>();
      const std::string_view all(scratch.text());
      append_csv_row(out.text, {input, label, all.substr(0, prediction_end), all.substr(prediction_end),
                                scored ? (predictions.in_domain[r] ? "true" : "false") : "", ""});
      out.close_part(false);
      return;
    }
    const json prediction = predictions.row(r);
    if (format_ == "jsonl") {
      out.text += json{{"input", input}, {"prediction", prediction}}.dump() + "\n";
    } else if (json_) {
      out.text += json{{"input", input}, {"prediction", prediction}}.dump(2);
    } else {
      scratch.clear();
      scratch.append(prediction);
      out.text.append(input).append("\t").append(scratch.text()).append("\n");
    }
    out.close_part(false);
  }
  void failure(ChunkOutput& out, const std::string& input, const std::string& reason) const {
    if (format_ == "csv") append_csv_row(out.text, {input, "", "", "", "", reason});
    else if (format_ == "jsonl") out.text += json{{"input", input}, {"error", reason}}.dump() + "\n";
    else if (reason.rfind(input + ":", 0) == 0) out.text += "adapt: error: " + reason + "\n";  // named already
    else out.text += "adapt: error: " + input + ": " + reason + "\n";
    out.close_part(true);
  }
  void put(const ChunkOutput& out) {
    out_of_domain_ += out.out_of_domain;
    if (file_) {  // failures and predictions alike, in order
      *file_ << out.text;
      for (const auto& part : out.parts) ++(part.failed ? failed_ : count_);
      return;
    }
    size_t start = 0;
    for (const auto& part : out.parts) {
      const std::string_view text(out.text.data() + start, part.end - start);
      start = part.end;
      if (part.failed) {
        ++failed_;
        std::cerr << text;
        continue;
      }
      if (json_) std::cout << (count_ ? ",\n" : "\n");
      std::cout << text;
      ++count_;
    }
  }
  void finish() {
    if (!file_ && json_) std::cout << (count_ ? "\n]\n" : "]\n");
  }
  size_t failed() const { return failed_; }
  size_t count() const { return count_; }
  size_t out_of_domain() const { return out_of_domain_; }

 private:
  bool json_;
  std::ostream* file_;
  std::string format_;
  size_t count_ = 0, failed_ = 0, out_of_domain_ = 0;
};

// Predicts a chunk; where it fails, each input alone, so one bad row costs only itself.
ChunkOutput predict_chunk(const Predictor& predictor, const Chunk& chunk, const PredictionWriter& writer) {
  ChunkOutput out;
  JsonScratch scratch;
  std::string numbered;
  std::vector<size_t> all(chunk.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto run = [&](const std::vector<size_t>& items) {
    Records records = chunk.parse(items);
    predictor.complete(records);
    const PredictionColumns predictions = predictor.predict_columns(records);
    const std::vector<std::string>* inputs = chunk.labels.get();
    std::vector<std::string> picked;
    if (items.size() != chunk.size()) {
      for (size_t i : items) picked.push_back((*chunk.labels)[i]);
      inputs = &picked;
    }
    for (size_t r = 0; r < predictions.size(); ++r)
      writer.format(out, scratch, record_label(records, *inputs, r, numbered), predictions, r);
  };
  try {
    run(all);
  } catch (const Error&) {
    out = ChunkOutput();
    for (size_t i : all) {
      try {
        run({i});
      } catch (const Error& e) {
        writer.failure(out, (*chunk.labels)[i], e.what());
      }
    }
  }
  return out;
}

// Chunks predicted in input order with `workers` threads. The first chunk runs here on every thread;
// when its inputs are light (a table row, a short text: under kHeavyRowSeconds each), the next chunks
// run in parallel on `workers` threads of one intra-op thread each, started once (a thread per chunk
// ran each row 1.6x slower: cold heaps and OpenMP state), as small batches gain more from that than
// from splitting each operator; at most 2 x `workers` chunks are in flight, so memory stays bounded
// (with `workers` only, a worker done first waited while this thread wrote the oldest chunk and read the
// next: MovieLens' 1M pairs at 2 threads took 0.83-1.46 s, now 0.77-0.83 s).
// Heavy ones (a CNN over a clip or a sequence) stay on this thread with every thread inside each
// operator: their batches' blocks of over 64 MiB would come fresh from the kernel on a worker thread,
// whose glibc heap cannot hold them (FSDD's 3,000 clips at 2 threads: 22.1 s in parallel chunks,
// 6.3 s here; 1 thread: 7.5 s).
class ChunkPipeline {
 public:
  static constexpr double kHeavyRowSeconds = 1e-3;

  ChunkPipeline(const Predictor& predictor, PredictionWriter& writer, size_t workers)
      : predictor_(predictor), writer_(writer), workers_(std::max<size_t>(1, workers)) {}
  ~ChunkPipeline() {
    for (auto& p : pending_)
      if (p.valid()) p.wait();  // an error unwinds: let the workers finish with what they hold
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void add(Chunk&& chunk) {
    if (!parallel_) {
      const auto start = std::chrono::steady_clock::now();
      writer_.put(predict_chunk(predictor_, chunk, writer_));
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      const bool light = took.count() < kHeavyRowSeconds * static_cast<double>(chunk.size());
      if (!decided_ && workers_ > 1 && light) start_workers();
      decided_ = true;  // once, on the first chunk
      return;
    }
    if (pending_.size() >= 2 * workers_) write_oldest();
    std::packaged_task<ChunkOutput()> task(
        [this, chunk = std::move(chunk)] { return predict_chunk(predictor_, chunk, writer_); });
    pending_.push_back(task.get_future());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(task));
    }
    ready_.notify_one();
  }
  void finish() {
    while (!pending_.empty()) write_oldest();
  }

 private:
  void start_workers() {
    parallel_ = true;
    set_num_threads(1);
    for (size_t i = 0; i < workers_; ++i)
      threads_.emplace_back([this] {
        at::init_num_threads();  // this thread's OpenMP team: the one intra-op thread set above
        for (;;) {
          std::packaged_task<ChunkOutput()> task;
          {
            std::unique_lock<std::mutex> lock(mutex_);
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            task = std::move(queue_.front());
            queue_.pop_front();
          }
          task();  // an exception reaches the future
        }
      });
  }
  void write_oldest() {
    auto oldest = std::move(pending_.front());
    pending_.pop_front();
    writer_.put(oldest.get());
  }
  const Predictor& predictor_;
  PredictionWriter& writer_;
  size_t workers_;
  bool decided_ = false, parallel_ = false;
  std::deque<std::future<ChunkOutput>> pending_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<ChunkOutput()>> queue_;
  bool stopping_ = false;
};

std::string output_format(const fs::path& out_file) {
  if (out_file.empty()) return {};
  const std::string ext = lower_extension(out_file.string());
  if (ext == ".csv") return "csv";
  if (ext == ".jsonl" || ext == ".ndjson") return "jsonl";
  throw OptionError("predict --out " + out_file.string() + ": give a .csv or .jsonl file");
}

// One line on stderr after `--out FILE`: how many predictions, how fast (rows a second from the first
// row read to the file in place, as a loop in a script would time itself; the model's loading apart)
// and how many fell out of domain, the share to look at before trusting the file.
void report_summary(const fs::path& out_file, size_t written, double load_seconds, double predict_seconds,
                    size_t out_of_domain) {
  const double rows_per_second = static_cast<double>(written) / std::max(predict_seconds, 1e-9);
  char line[256];
  std::snprintf(line, sizeof line, " in %.2f s (%.0f rows/s; the model loaded in %.2f s)", predict_seconds,
                rows_per_second, load_seconds);
  std::cerr << "adapt: " << written << (written == 1 ? " prediction" : " predictions") << " written to "
            << out_file.string() << line;
  if (out_of_domain > 0) {
    const double share = 100.0 * static_cast<double>(out_of_domain) / static_cast<double>(written);
    std::snprintf(line, sizeof line, "; %zu of them (%.2f%%) out of domain (in_domain false)", out_of_domain, share);
    std::cerr << line << ": check them before trusting their predictions";
  }
  std::cerr << "\n";
}

}  // namespace

int predict(const Global& global, const fs::path& model_file, const std::vector<std::string>& inputs,
            const fs::path& out_file) {
  const std::string format = output_format(out_file);
  Registry& registry = global_registry();
  report_plugin_problems();
  using clock = std::chrono::steady_clock;
  const auto loading = clock::now();
  const Predictor predictor = Predictor::load(model_file, registry);
  const auto predicting = clock::now();
  const std::vector<std::string> columns = predictor.input_columns();
  const bool all_tables = all_table_files(inputs);
  size_t failed = 0, written = 0, out_of_domain = 0;
  // --threads N: N intra-op threads, or N chunks at once (ChunkPipeline).
  const auto workers = static_cast<size_t>(num_threads());
  auto stream = [&](std::ostream& file) {
    PredictionWriter writer(global, file, format);
    ChunkPipeline pipeline(predictor, writer, workers);
    const auto emit = [&](Chunk&& chunk) { pipeline.add(std::move(chunk)); };
    if (inputs.size() == 1 && inputs.front() == "-") {
      stream_stdin(predictor, columns, emit);
    } else if (all_tables) {
      for (const auto& file_name : inputs) stream_table_file(file_name, columns, emit);
    } else {
      // Raw inputs: a reader may need them together (a table row with a joined column, a FASTA file).
      stream_raw(inputs, predictor, emit);
    }
    pipeline.finish();
    writer.finish();
    failed = writer.failed();
    written = writer.count();
    out_of_domain = writer.out_of_domain();
  };
  if (format.empty()) {
    stream(std::cout);
  } else {
    write_atomically(out_file, [&](const fs::path& temp) {
      std::ofstream file(temp, std::ios::binary);
      stream(file);
      file.flush();
      if (!file) throw Error("predict --out " + out_file.string() + ": the write failed (is the disk full?)");
    });
    const std::chrono::duration<double> load = predicting - loading, run = clock::now() - predicting;
    if (written > 0) report_summary(out_file, written, load.count(), run.count(), out_of_domain);
  }
  if (failed + written == 0)
    std::cerr << "adapt: warning: the inputs hold no rows: nothing was predicted"
              << (format.empty() ? "" : " (" + out_file.string() + " has the header only)") << "\n";
  if (failed > 0)
    std::cerr << "adapt: " << failed << " of " << failed + written << " inputs could not be predicted"
              << (format.empty() ? "" : "; their reasons are in " + out_file.string()) << "\n";
  return failed > 0 ? 1 : 0;
}

}  // namespace adapt::cli
