// export_and_record: model.adapt, and run.json / metrics.json with what is needed to reproduce and
// judge the run.
#include <torch/version.h>

#include "adapt/common/atomic_file.h"
#include "adapt/common/threads.h"
#include "adapt/common/version.h"
#include "adapt/data/csv_writer.h"
#include "adapt/export/export.h"
#include "adapt/run/stages.h"
#include "adapt/train/callbacks.h"

namespace adapt {
namespace {

// What each block learned its size to be (a tokenizer's vocabulary as trained, not as asked for; the
// classes of a target), by batch key.
json block_dims(const DataBlocks& blocks) {
  json dims = json::object();
  for (const auto& bound : blocks.inputs()) dims[bound.key] = bound.block->dims();
  dims[blocks.target().key] = blocks.target().block->dims();
  return dims;
}

json run_record(const RunState& state, const Registry& registry, const RunContext& ctx) {
  const Records& records = *state.records;
  const SplitIndices& split = state.split;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - state.started).count();
  json run = {
      {"seed", state.seed},
      {"recipe", state.filled},
      {"data", {{"source", records.source()}, {"records", records.size()}, {"hash", state.data_hash},
                {"split", {{"train", split.train.size()}, {"valid", split.valid.size()},
                           {"test", split.test.size() + state.sealed_test.size()}}}}},
      {"versions", {{"adapt", version()}, {"torch", TORCH_VERSION}, {"fingerprint", build_fingerprint()},
                    {"plugins", recipe_plugins(state.filled, registry)}}},
      {"threads", num_threads()},
      {"warnings", state.warnings},
      {"blocks", block_dims(*state.blocks)},
      {"metrics", state.result.metrics},
      {"baselines", state.result.baselines},
      {"primary_metric", state.result.primary_metric},
      {"verdicts", state.verdicts},
      {"test_part", state.result.test_part},
      {"calibration", state.result.calibration},
      {"history", state.learner->recorder().history()},
      {"stopped", state.learner->stop_reason()},
      {"seconds", seconds},
  };
  json processes = ctx.describe(state.train_loader);
  if (!processes.is_null()) run["distributed"] = processes;
  return run;
}

// split.csv: every record's part, so a peer can be scored on the very same rows. `row` counts the
// records in the reader's order from 0; `origin` is where the record came from (file:line).
std::string split_table(const Records& records, const SplitIndices& split, const std::vector<size_t>& sealed_test) {
  std::vector<const char*> part(records.size(), "unused");
  for (const auto& [name, rows] : {std::pair<const char*, const std::vector<size_t>*>{"train", &split.train},
                                   {"valid", &split.valid},
                                   {"test", &split.test},
                                   {"test", &sealed_test}})
    for (size_t row : *rows) part[row] = name;
  std::string out = csv_row({"row", "origin", "part"});
  for (size_t row = 0; row < records.size(); ++row) out += csv_row({std::to_string(row), records.origin(row), part[row]});
  return out;
}

// predictions.csv: every scored row's target and decoded prediction (temperature-scaled like predict),
// so errors can be cut by any column afterwards and a peer compared row by row. Sealed rows are absent.
std::string prediction_table(RunState& state) {
  const Block& target = *state.blocks->target().block;
  const double t = state.result.calibration.is_object() ? state.result.calibration["temperature"].get<double>() : 1.0;
  std::string out = csv_row({"row", "origin", "part", "target", "prediction"});
  for (const auto& [part, split] : {std::pair<const char*, Split>{"valid", Split::valid}, {"test", Split::test}}) {
    if (!(split == Split::valid ? state.loaders.valid : state.loaders.test)) continue;
    const Predictions& p = split_predictions(state, split);
    if (p.outputs.dim() > 2) return out;  // one prediction per token (language models): header only
    const torch::Tensor outputs = t == 1.0 ? p.outputs : p.outputs / t;
    const auto rows = p.rows.contiguous();
    const std::vector<json> decoded = target.decode_batch(outputs);
    for (int64_t i = 0; i < rows.size(0); ++i) {
      const auto row = static_cast<size_t>(rows[i].item<int64_t>());
      std::string actual;
      for (const auto& c : target.columns()) actual += (actual.empty() ? "" : "|") + state.records->at(row, c);
      out += csv_row({std::to_string(row), state.records->origin(row), part, actual, decoded[static_cast<size_t>(i)].dump()});
    }
  }
  return out;
}

}  // namespace

void export_and_record(RunState& state, const Registry& registry, RunContext& ctx) {
  if (ctx.dir().empty()) return;
  RunResult& result = state.result;
  result.model_file = ctx.dir() / "model.adapt";
  const json& calibration = result.calibration;
  export_model(result.model_file, state.filled, *state.blocks, *state.model, registry,
               calibration.is_null() ? json(nullptr) : json{{"temperature", calibration["temperature"]}}, &state.monitor);
  ctx.out() << "\nexported " << result.model_file.string() << "\n";
  explain_top_losses(state, registry, ctx);
  write_text_atomically(ctx.dir() / "run.json", run_record(state, registry, ctx).dump(2) + "\n");
  write_text_atomically(ctx.dir() / "split.csv", split_table(*state.records, state.split, state.sealed_test));
  write_text_atomically(ctx.dir() / "predictions.csv", prediction_table(state));
  json metrics = {{"metrics", result.metrics},
                  {"primary_metric", result.primary_metric},
                  {"test_part", result.test_part},
                  {"baselines", result.baselines},
                  {"slices", result.slices},
                  {"calibration", result.calibration},
                  {"reports", result.reports},
                  {"interpretation", state.interpretation}};
  write_text_atomically(ctx.dir() / "metrics.json", metrics.dump(2) + "\n");
}

}  // namespace adapt
