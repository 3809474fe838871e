#include "cli_definition.h"

#include <adapt/common/version.h>

#include <iostream>

namespace adapt::cli {

Cli::Cli() {
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too
  app.add_option("--threads", args.threads,
                 "Intra-op threads for LibTorch; predict runs that many chunks at once instead (default: "
                 "ADAPT_NUM_THREADS if set, else the number of cores)")
      ->check(CLI::Range(0, 4096));
  app.add_option("--plugin-path", args.plugin_paths,
                 "Directory (or plugin file) searched before ADAPT_PLUGIN_PATH, the install and the build "
                 "directory; repeatable")
      ->type_name("DIR");
  app.add_flag("--json", args.json_output, "Machine-readable JSON on stdout");
  app.add_flag("--allow-insecure-plugins", args.allow_insecure,
               "Also load plugins from files or directories that other users can write to. RISK: anyone who can "
               "write there can run code as you");
  app.set_version_flag("--version", "adapt " + version() + " (" + build_fingerprint() + ")");

  plugins = app.add_subcommand("plugins", "What plugins were found, and what they provide (from the plugin cache)");
  plugins->require_subcommand(1);
  list = plugins->add_subcommand("list", "Every plugin found: name, version, licence, file, components; every "
                                         "file refused or blacklisted, with the reason");
  info = plugins->add_subcommand("info", "Every component of one plugin with its options, types, defaults and "
                                         "help (\"core\" for the core's own)");
  info->add_option("NAME", args.info_name, "Plugin name, e.g. audio")->required();
  scan = plugins->add_subcommand("scan", "Open every changed plugin in a helper process and record what it "
                                         "provides in the plugin cache (list and info do this first by themselves)");
  scan->add_flag("--force", args.scan_force, "Scan every plugin again, ignoring the cache and its blacklist");

  demo = app.add_subcommand("demo", "Generate a plugin's synthetic data, train its recipe, export, reload and predict");
  demo->add_option("NAME", args.demo_name, "Plugin name, demo component name (plugin.demo), or \"all\"")->required();
  demo->add_option("--out", args.demo_out, "Parent directory of the runs (one sub-directory per demo)")
      ->capture_default_str();

  train = app.add_subcommand("train", "Validate and run a recipe (docs/recipes.md)");
  train->add_option("RECIPE", args.recipe_file, "Recipe JSON file")->required();
  train->add_option("--out", args.train_out, "Run directory (default: runs/<recipe name>)");
  train->add_option("--nproc", args.nproc,
                    "Data-parallel worker processes on this machine (docs/distributed.md); loader.batch_size is "
                    "the global batch. Several machines: start one process per rank with torchrun's variables")
      ->check(CLI::Range(1, 1024));
  train->add_flag("--resume", args.resume,
                  "Continue from RUN_DIR/checkpoint.pt (train.checkpoint), with any --nproc; stops when there is none "
                  "or another recipe wrote it");
  train->add_flag("--resume-or-start", args.resume_or_start,
                  "Like --resume, but start afresh when RUN_DIR has no checkpoint");
  train->add_flag("--force", args.force, "Replace the finished run in RUN_DIR (otherwise refused)");
  train->add_flag("--final", args.final_run,
                  "The final run: score the test part (sealed while the split has a validation part) and count it "
                  "in the test ledger; choose settings on valid first (docs/training.md)");
  train->add_flag("--dry-run", args.dry_run,
                  "Check the recipe (every section and option), read the data and build the model as a run would, "
                  "print the model's summary (layers, parameters, output shapes), and train nothing");

  sanity = app.add_subcommand("sanity", "Train a recipe on a short budget with shuffled labels and with noise inputs: "
                                        "validation must stay at chance (docs/recipes.md#sanity-runs); exit 1 when "
                                        "not");
  sanity->add_option("RECIPE", args.sanity_recipe, "Recipe JSON file")->required();
  sanity->add_option("--max-epochs", args.sanity_epochs, "Each phase's epochs are capped at this")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));

  evaluate = app.add_subcommand("evaluate", "Score an exported model on labelled data read with its recipe's reader: "
                                            "metrics, confusion matrix, slices");
  evaluate->add_option("MODEL", args.evaluate_model, "Exported model (.adapt)")->required();
  evaluate->add_option("DATA", args.evaluate_data, "Labelled data the recipe's reader takes (its path or root)")
      ->required();
  evaluate->add_option("--out", args.evaluate_out, "Folder for metrics.json, predictions.csv, the confusion matrix and "
                                                   "slices");
  evaluate->add_option("--slices", args.evaluate_slices, "Columns to score each value of separately")->delimiter(',');

  drift = app.add_subcommand("drift", "Compare new inputs with the training reference an exported model keeps: "
                                      "column drift, feature drift (MMD), out-of-domain share, predicted-label mix; "
                                      "exit 3 when drift is found");
  drift->add_option("MODEL", args.drift_model, "Exported model (.adapt)")->required();
  drift->add_option("DATA", args.drift_data, "New data the recipe's reader takes (its path or root); labels not needed")
      ->required();
  drift->add_option("--out", args.drift_out, "Folder for drift.json, drift_columns.csv and drift.svg");
  drift->add_option("--seed", args.drift_seed, "Seed of the row sample and permutations");
  report = app.add_subcommand("report", "Build report.html in a run directory again from the files there (every run "
                                        "writes it when it ends; docs/training.md#the-run-report)");
  report->add_option("RUN_DIR", args.report_dir, "Directory of a finished run (adapt train --out)")->required();

  predict = app.add_subcommand("predict", "Load an exported model and print decoded predictions");
  predict->add_option("MODEL", args.model_file, "Exported model (.adapt)")->required();
  predict->add_option("INPUT", args.inputs,
                      "Raw inputs as the recipe's reader takes them (paths, texts, CSV rows), table files (.csv, "
                      ".tsv, .jsonl), or - for standard input")
      ->required();
  predict->add_option("--out", args.predict_out,
                      "Write predictions to FILE.csv (input,label,prediction,ood_score,in_domain,error) or FILE.jsonl instead of stdout");

  show_batch = app.add_subcommand("show-batch", "A page of a few training items as the model receives them (after "
                                               "random crops and transforms), drawn for their modality; trains "
                                               "nothing (docs/training.md#show-batch)");
  show_batch->add_option("RECIPE", args.show_batch_recipe, "Recipe JSON file")->required();
  show_batch->add_option("--items", args.show_batch_items, "Items on the page")->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  show_batch->add_option("--out", args.show_batch_out, "The page (self-contained HTML)")->capture_default_str();

  explain = app.add_subcommand("explain", "Why an exported model predicts what it does: how far each prediction "
                                          "moves when one part of its input (a token, a residue, a time band, a "
                                          "column) is taken out (docs/explanations.md)");
  explain->add_option("MODEL", args.explain_model, "Exported model (.adapt)")->required();
  explain->add_option("INPUT", args.explain_inputs, "Raw inputs as `adapt predict` takes them")->required();
  explain->add_option("--html", args.explain_html, "Also write a page that shades every part (self-contained HTML)");
  explain->add_option("--top", args.explain_top, "Parts shown per input, strongest first")->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100000}));

  embed = app.add_subcommand("embed", "Write one embedding vector per input (models that define one, e.g. protein "
                                      "encoders) to CSV or .npy");
  embed->add_option("MODEL", args.embed_model, "Exported model (.adapt)")->required();
  embed->add_option("INPUT", args.embed_inputs, "Raw inputs as the recipe's reader takes them (e.g. FASTA files)")
      ->required();
  embed->add_option("--out", args.embed_out, "Output file: .csv (id column, then e0..eD-1) or .npy (float32 [N, D])")
      ->required();

  define_serve();
  define_inspect();
}

void Cli::define_inspect() {
  inspect = app.add_subcommand("inspect", "Audit a recipe's data without training: integrity, leakage, drift, groups "
                                          "and likely label errors (docs/inspect.md)");
  inspect->add_option("RECIPE", args.inspect_recipe, "Recipe JSON file")->required();
  inspect->add_option("--out", args.inspect_out, "Directory for inspect.json and the CSVs (label_issues.csv, ...)");
  inspect->add_flag("--no-label-issues", args.no_label_issues,
                    "Skip the label-issue search (the only part that fits models)");
}

void Cli::define_serve() {
  serve = app.add_subcommand("serve", "Answer predictions over HTTP, optionally with a candidate export in shadow or "
                                      "canary mode (docs/serving.md)");
  serve->add_option("MODEL", args.serve_model, "Exported model (.adapt) that answers requests")->required();
  auto* shadow = serve->add_option("--shadow", args.serve_shadow,
                                   "Candidate export that sees every request; its answers are logged and compared "
                                   "(--shadow-log), never returned")
                     ->type_name("CANDIDATE");
  auto* canary = serve->add_option("--canary", args.serve_canary,
                                   "Candidate export that answers --canary-pct % of requests, sticky by request key")
                     ->type_name("CANDIDATE")
                     ->excludes(shadow);
  serve->add_option("--canary-pct", args.canary_pct, "Share of request keys the canary answers, 0..100")
      ->check(CLI::Range(0.0, 100.0))
      ->needs(canary);
  serve->add_option("--port", args.port, "TCP port; 0 picks a free one (printed on start)")
      ->required()
      ->check(CLI::Range(0, 65535));
  serve->add_option("--host", args.serve_host, "Address to listen on (0.0.0.0: every interface)")
      ->capture_default_str();
  serve->add_option("--max-batch", args.max_batch, "Records the worker takes from the queue at once, at most")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  serve->add_option("--max-delay-ms", args.max_delay_ms, "How long a request waits for others to batch with")
      ->check(CLI::Range(0.0, 10000.0))
      ->capture_default_str();
  serve->add_flag("--merge-requests", args.merge_requests,
                  "Predict the requests of a batch in one call: faster for many small requests, but answers "
                  "may then differ from `adapt predict` in the last bits (default: each request alone, exact)");
  serve->add_option("--max-queue", args.max_queue, "Requests queued per model; more are answered 503")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve->add_option("--max-body-bytes", args.max_body_bytes, "Largest request body; larger ones are answered 413")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34))
      ->capture_default_str();
  serve->add_option("--max-inputs", args.max_inputs, "Inputs in one request, at most")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve->add_option("--timeout-ms", args.timeout_ms, "Per-request limit; past it the answer is 504")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  serve->add_option("--http-threads", args.http_threads,
                    "Connections handled at once (keep-alive connections hold one each); give more than the "
                    "clients' concurrency")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  serve->add_option("--shadow-log", args.shadow_log, "JSON-lines file the shadow's answers are appended to")
      ->capture_default_str();
  serve->add_option("--window", args.window, "Predictions in the sliding-window gauges of /metrics")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
}

int Cli::parse(int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(e, argc);
  }
  return -1;
}

// A new user's first tries (`adapt`, `adapt frobnicate`, `adapt plugins`) get the help of the command
// they reached, not just CLI11's one-line complaint.
int Cli::usage_error(const CLI::ParseError& e, int argc) {
  if (argc <= 1) {  // `adapt` alone asks what adapt does: the help is the answer
    std::cout << app.help();
    return 0;
  }
  const CLI::App* reached = &app;
  while (!reached->get_subcommands().empty()) reached = reached->get_subcommands().front();
  std::string message = e.what();
  if (reached == &app && dynamic_cast<const CLI::RequiredError*>(&e)) {
    std::string commands;
    for (const auto* sub : app.get_subcommands({})) commands += (commands.empty() ? "" : ", ") + sub->get_name();
    const auto rest = app.remaining();
    message = rest.empty() ? "a command is required" : "unknown command \"" + rest.front() + "\"";
    message += "; the commands are " + commands;
  }
  std::cerr << "adapt: error: " << message << "\n\n" << reached->help();
  return kUsageError;
}

}  // namespace adapt::cli
