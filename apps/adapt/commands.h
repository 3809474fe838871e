#pragma once
// The subcommands of `adapt` that need LibTorch, in libadapt_cli (`adapt plugins` is in
// plugins_command.h). Each returns the process exit code (0 success); failures throw adapt::Error,
// which adapt_cli_main() turns into a message on stderr and exit code 1.
#include <adapt/common/options.h>
#include <adapt/data/records.h>

#include "serve/serve_options.h"

#include <filesystem>
#include <string>
#include <vector>

namespace adapt::cli {

constexpr int kInterrupted = 130;  // as a shell reports a process ended by SIGINT

struct Global {
  bool json_output = false;
};

// Warnings and failures of the plugin host, on stderr (before a command that needs plugins).
void report_plugin_problems();

// What names record i in output: its "id" column when the reader gives one (a FASTA file gives
// many records), else the command-line input it came from, else (inputs that gave several records
// each) its origin, a file's row as file:line.
const std::string& record_label(const Records& records, const std::vector<std::string>& inputs, size_t i,
                                std::string& numbered);  // `numbered` holds "record N" when that is the label
inline std::string record_label(const Records& records, const std::vector<std::string>& inputs, size_t i) {
  std::string numbered;
  return record_label(records, inputs, i, numbered);
}

int demo(const Global& global, const std::string& name, const std::filesystem::path& out_dir);
struct TrainFlags {
  bool resume = false;           // continue from out_dir/checkpoint.pt
  bool resume_or_start = false;  // ... or start afresh when there is none
  bool force = false;            // replace a finished run in out_dir
  bool final_run = false;        // score the test part (RunOptions::final_run)
  bool dry_run = false;          // check the recipe, train nothing
};
// Joins a distributed run when the torchrun variables are set (docs/distributed.md). Ctrl-C while
// training writes a checkpoint, says how to resume and returns kInterrupted.
int train(const Global& global, const std::filesystem::path& recipe_file, const std::filesystem::path& out_dir,
          const TrainFlags& flags = {});
// Audits a recipe's data (docs/inspect.md): the report as text, or JSON with --json; files in out_dir.
int inspect(const Global& global, const std::filesystem::path& recipe_file, const std::filesystem::path& out_dir,
            bool label_issues);
// An export scored on labelled data (adapt/export/evaluate_model.h).
int evaluate(const Global& global, const std::filesystem::path& model_file, const std::filesystem::path& data,
             const std::filesystem::path& out_dir, const std::vector<std::string>& slices);
// New data against an export's drift reference (adapt/export/detect_drift.h): 0 without drift,
// kDriftExitCode (3) with.
int drift(const Global& global, const std::filesystem::path& model_file, const std::filesystem::path& data,
          const std::filesystem::path& out_dir, uint64_t seed);
// report.html in a finished run's directory, built again from its files (adapt/run/html_report.h).
int report(const Global& global, const std::filesystem::path& run_dir);
// Sanity runs of a recipe (adapt/run/sanity.h): 0 when they pass, 1 when a run beats chance.
int sanity(const Global& global, const std::filesystem::path& recipe_file, int64_t max_epochs);
// Streams inputs (files, table rows, `-` for stdin) through an export in chunks; prints or writes
// --out FILE (.csv or .jsonl). Exit 1 when some inputs could not be predicted (each with its reason).
int predict(const Global& global, const std::filesystem::path& model_file, const std::vector<std::string>& inputs,
            const std::filesystem::path& out_file);
// A page of training items as the model receives them (adapt/run/show_batch.h), written atomically.
int show_batch(const Global& global, const std::filesystem::path& recipe_file, const std::filesystem::path& out_file,
               int64_t items);
// Explanations by occlusion (adapt/explain/explain.h): the `top` strongest parts per input on stdout
// (every part with --json), and the page at html_file when given.
int explain(const Global& global, const std::filesystem::path& model_file, const std::vector<std::string>& inputs,
            const std::filesystem::path& html_file, size_t top);
int embed(const Global& global, const std::filesystem::path& model_file, const std::vector<std::string>& inputs,
          const std::filesystem::path& out_file);

// Answers HTTP until SIGINT/SIGTERM (docs/serving.md); SIGHUP loads the exports again.
int serve(const Global& global, const serve::ServeOptions& options);

}  // namespace adapt::cli
