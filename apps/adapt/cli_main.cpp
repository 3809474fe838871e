// libadapt_cli: every `adapt` command that needs LibTorch (demo, train, predict, embed, serve). The `adapt`
// program opens this library and calls adapt_cli_main() for them. Exit codes: 0 success, 1 failure
// (an adapt::Error: its message on stderr, no stack trace), 2 usage error.
#include <c10/util/Exception.h>

#include <adapt/common/error.h>
#include <adapt/common/memory.h>
#include <adapt/common/threads.h>
#include <adapt/distributed/distributed.h>
#include <adapt/plugin/plugin_host.h>

#include <cstdlib>
#include <iostream>

#include "cli_definition.h"
#include "commands.h"

namespace {

// Workers of a distributed run say which rank failed.
std::string error_prefix() {
  const char* rank = std::getenv("RANK");
  const char* world = std::getenv("WORLD_SIZE");
  if (rank && world && std::string(world) != "1") return std::string("adapt: error (rank ") + rank + "): ";
  return "adapt: error: ";
}

// argv without --nproc N / --nproc=N: what each worker runs.
std::vector<std::string> worker_arguments(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--nproc") {
      ++i;
      continue;
    }
    if (a.rfind("--nproc=", 0) == 0) continue;
    args.push_back(a);
  }
  return args;
}

adapt::serve::ServeOptions serve_options(const adapt::cli::CliArgs& a) {
  adapt::serve::ServeOptions o;
  o.model_file = a.serve_model;
  if (!a.serve_shadow.empty()) {
    o.mode = adapt::serve::CandidateMode::shadow;
    o.candidate_file = a.serve_shadow;
  } else if (!a.serve_canary.empty()) {
    if (a.canary_pct < 0)
      throw adapt::OptionError("--canary needs --canary-pct P: the share of request keys (0..100) it answers");
    o.mode = adapt::serve::CandidateMode::canary;
    o.candidate_file = a.serve_canary;
    o.canary_pct = a.canary_pct;
  }
  o.host = a.serve_host;
  o.port = a.port;
  o.batching.max_batch = a.max_batch;
  o.batching.max_delay = std::chrono::microseconds(static_cast<int64_t>(a.max_delay_ms * 1000.0));
  o.batching.max_queue = static_cast<size_t>(a.max_queue);
  o.batching.merge_requests = a.merge_requests;
  o.max_body_bytes = static_cast<size_t>(a.max_body_bytes);
  o.max_inputs = static_cast<size_t>(a.max_inputs);
  o.timeout = std::chrono::milliseconds(a.timeout_ms);
  o.http_threads = a.http_threads;
  o.shadow_log = a.shadow_log;
  o.window = static_cast<size_t>(a.window);
  return o;
}

int run(const adapt::cli::Cli& cli, int argc, char** argv) {
  const adapt::cli::CliArgs& a = cli.args;
  if (*cli.train && a.nproc > 1) {
    if (std::getenv("RANK") || std::getenv("WORLD_SIZE"))
      throw adapt::OptionError("--nproc: RANK/WORLD_SIZE are already set, so a launcher (torchrun, Slurm, ...) "
                               "started this process; drop --nproc and let the launcher start the ranks");
    adapt::LaunchOptions launch;
    launch.nproc = a.nproc;
    return adapt::launch_local_workers("/proc/self/exe", worker_arguments(argc, argv), launch);
  }
  const adapt::cli::Global global{a.json_output};
  adapt::set_num_threads(a.threads);
  if (*cli.report) return adapt::cli::report(global, a.report_dir);  // reads files only: no plugins
  adapt::PluginHostOptions host_options;
  for (const auto& p : a.plugin_paths) host_options.plugin_paths.emplace_back(p);
  host_options.allow_insecure = a.allow_insecure;
  host_options.respect_blacklist = true;  // a plugin whose scan crashed is not opened here either
  adapt::configure_global_plugins(host_options);

  if (*cli.demo) return adapt::cli::demo(global, a.demo_name, a.demo_out);
  if (*cli.train) {
    std::filesystem::path out = a.train_out.empty()
                                    ? std::filesystem::path("runs") / std::filesystem::path(a.recipe_file).stem()
                                    : std::filesystem::path(a.train_out);
    return adapt::cli::train(global, a.recipe_file, out,
                             {a.resume || a.resume_or_start, a.resume_or_start, a.force, a.final_run, a.dry_run});
  }
  if (*cli.inspect) return adapt::cli::inspect(global, a.inspect_recipe, a.inspect_out, !a.no_label_issues);
  if (*cli.evaluate) return adapt::cli::evaluate(global, a.evaluate_model, a.evaluate_data, a.evaluate_out, a.evaluate_slices);
  if (*cli.drift) return adapt::cli::drift(global, a.drift_model, a.drift_data, a.drift_out, a.drift_seed);
  if (*cli.sanity) return adapt::cli::sanity(global, a.sanity_recipe, a.sanity_epochs);
  if (*cli.predict) return adapt::cli::predict(global, a.model_file, a.inputs, a.predict_out);
  if (*cli.show_batch)
    return adapt::cli::show_batch(global, a.show_batch_recipe, a.show_batch_out, a.show_batch_items);
  if (*cli.explain)
    return adapt::cli::explain(global, a.explain_model, a.explain_inputs, a.explain_html, a.explain_top);
  if (*cli.embed) return adapt::cli::embed(global, a.embed_model, a.embed_inputs, a.embed_out);
  if (*cli.serve) return adapt::cli::serve(global, serve_options(a));
  std::cerr << cli.app.help();
  return adapt::cli::kUsageError;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int adapt_cli_main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // before any tensor: each step reuses the last one's pages
  adapt::cli::Cli cli;
  if (int code = cli.parse(argc, argv); code >= 0) return code;
  try {
    return run(cli, argc, argv);
  } catch (const adapt::Error& e) {
    std::cerr << error_prefix() << e.what() << "\n";
  } catch (const c10::Error& e) {
    // LibTorch's own messages carry a C++ backtrace: the user needs only the message.
    std::cerr << error_prefix() << e.what_without_backtrace() << "\n";
  } catch (const std::exception& e) {
    std::cerr << error_prefix() << e.what() << "\n";
  }
  return 1;
}
