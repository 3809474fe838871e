#pragma once
// The command line of `adapt`, defined once (CLI11) and parsed by both halves of the program: the
// `adapt` executable, which answers `adapt plugins ...` without LibTorch, and libadapt_cli, which it
// opens for every command that trains or predicts.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace adapt::cli {

struct CliArgs {
  // global
  bool json_output = false;
  int threads = 0;
  std::vector<std::string> plugin_paths;
  bool allow_insecure = false;
  // plugins info NAME, plugins scan --force
  std::string info_name;
  bool scan_force = false;
  // demo NAME|all
  std::string demo_name, demo_out = "runs/demo";
  // train RECIPE
  std::string recipe_file, train_out;
  int64_t nproc = 1;
  bool resume = false, resume_or_start = false, force = false, final_run = false, dry_run = false;
  // evaluate MODEL DATA [--out DIR] [--slices a,b]
  std::string evaluate_model, evaluate_data, evaluate_out;
  std::vector<std::string> evaluate_slices;
  // drift MODEL DATA [--out DIR] [--seed N]
  std::string drift_model, drift_data, drift_out;
  uint64_t drift_seed = 0;
  // sanity RECIPE [--max-epochs N]
  std::string sanity_recipe;
  int64_t sanity_epochs = 3;
  // inspect RECIPE [--out DIR] [--no-label-issues]
  std::string inspect_recipe, inspect_out;
  bool no_label_issues = false;
  // report RUN_DIR
  std::string report_dir;
  // predict MODEL INPUT...
  std::string model_file;
  std::vector<std::string> inputs;
  std::string predict_out;
  // show-batch RECIPE [--items N] [--out FILE]
  std::string show_batch_recipe, show_batch_out = "show_batch.html";
  int64_t show_batch_items = 8;
  // explain MODEL INPUT... [--html FILE] [--top K]
  std::string explain_model, explain_html;
  std::vector<std::string> explain_inputs;
  size_t explain_top = 10;
  // embed MODEL INPUT... --out FILE
  std::vector<std::string> embed_inputs;
  std::string embed_model, embed_out;
  // serve MODEL [--shadow C | --canary C --canary-pct P] --port N (docs/serving.md)
  std::string serve_model, serve_shadow, serve_canary, serve_host = "127.0.0.1", shadow_log = "shadow.jsonl";
  double canary_pct = -1.0;  // -1: not given
  int port = -1, http_threads = 128;
  int64_t max_batch = 32, max_queue = 1024, max_inputs = 1024, window = 1000;
  double max_delay_ms = 0.0;
  bool merge_requests = false;
  int64_t max_body_bytes = 16 << 20, timeout_ms = 10000;
};

struct Cli {
  CLI::App app{"adapt: train, inspect and run deep-learning recipes built from plugins", "adapt"};
  CliArgs args;
  CLI::App *plugins, *list, *info, *scan, *demo, *train, *sanity, *evaluate, *drift, *predict, *embed, *serve;
  CLI::App *inspect, *report, *explain, *show_batch;

  Cli();
  // Parses argv: -1 to go on, or the exit code when parsing ended the run (help, version, `adapt` alone: 0;
  // usage: 2, with the help of the command reached).
  int parse(int argc, char** argv);

 private:
  void define_serve();
  int usage_error(const CLI::ParseError& e, int argc);
  void define_inspect();
};

constexpr int kUsageError = 2;

}  // namespace adapt::cli
