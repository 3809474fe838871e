// adapt: the command-line host. Parses the command line (CLI11), configures threads and the plugin
// search path once, and dispatches to a subcommand. Exit codes: 0 success, 1 failure (an
// adapt::Error: its message on stderr, no stack trace), 2 usage error.
#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>

#include <adapt/common/error.h>
#include <adapt/common/threads.h>
#include <adapt/common/version.h>
#include <adapt/distributed/distributed.h>
#include <adapt/plugin/plugin_host.h>

#include <cstdlib>
#include <iostream>

#include "commands.h"

namespace {

constexpr int kUsageError = 2;

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"adapt: train, inspect and run deep-learning recipes built from plugins", "adapt"};
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too

  adapt::cli::Global global;
  int threads = 0;
  std::vector<std::string> plugin_paths;
  bool allow_insecure = false;
  app.add_option("--threads", threads,
                 "Intra-op threads for LibTorch (default: ADAPT_NUM_THREADS if set, else the number of cores)")
      ->check(CLI::Range(0, 4096));
  app.add_option("--plugin-path", plugin_paths,
                 "Directory (or plugin file) searched before ADAPT_PLUGIN_PATH, the install and the build "
                 "directory; repeatable")
      ->type_name("DIR");
  app.add_flag("--json", global.json_output, "Machine-readable JSON on stdout");
  app.add_flag("--allow-insecure-plugins", allow_insecure,
               "Also load plugins from files or directories that other users can write to. RISK: anyone who can "
               "write there can run code as you");
  app.set_version_flag("--version", "adapt " + adapt::version() + " (" + adapt::build_fingerprint() + ")");

  // adapt plugins list | info NAME
  CLI::App* plugins = app.add_subcommand("plugins", "What plugins were found, and what they provide");
  plugins->require_subcommand(1);
  CLI::App* list = plugins->add_subcommand("list", "Every plugin found: name, version, licence, file, components; "
                                                   "and every plugin that failed to load, with the reason");
  std::string info_name;
  CLI::App* info = plugins->add_subcommand("info", "Every component of one plugin with its options, types, "
                                                   "defaults and help (\"core\" for the core's own)");
  info->add_option("NAME", info_name, "Plugin name, e.g. audio")->required();

  // adapt demo NAME|all
  std::string demo_name;
  std::string demo_out = "runs/demo";
  CLI::App* demo = app.add_subcommand("demo", "Generate a plugin's synthetic data, train its recipe, export, "
                                              "reload and predict");
  demo->add_option("NAME", demo_name, "Plugin name, demo component name (plugin.demo), or \"all\"")->required();
  demo->add_option("--out", demo_out, "Parent directory of the runs (one sub-directory per demo)")->capture_default_str();

  // adapt train RECIPE.json
  std::string recipe_file, train_out;
  int64_t nproc = 1;
  bool resume = false;
  CLI::App* train = app.add_subcommand("train", "Validate and run a recipe (docs/recipes.md)");
  train->add_option("RECIPE", recipe_file, "Recipe JSON file")->required();
  train->add_option("--out", train_out, "Run directory (default: runs/<recipe name>)");
  train->add_option("--nproc", nproc,
                    "Data-parallel worker processes on this machine (docs/distributed.md); loader.batch_size is "
                    "the global batch. Several machines: start one process per rank with torchrun's variables")
      ->check(CLI::Range(1, 1024));
  train->add_flag("--resume", resume,
                  "Continue from RUN_DIR/checkpoint.pt (train.checkpoint) if it exists, with any --nproc");

  // adapt predict MODEL.adapt INPUT...
  std::string model_file;
  std::vector<std::string> inputs;
  CLI::App* predict = app.add_subcommand("predict", "Load an exported model and print decoded predictions");
  predict->add_option("MODEL", model_file, "Exported model (.adapt)")->required();
  predict->add_option("INPUT", inputs, "Raw inputs as the recipe's reader takes them (paths, texts, CSV rows)")
      ->required();

  // adapt embed MODEL.adapt INPUT... --out FILE.csv|FILE.npy
  std::vector<std::string> embed_inputs;
  std::string embed_model, embed_out;
  CLI::App* embed = app.add_subcommand("embed", "Write one embedding vector per input (models that define one, "
                                                "e.g. protein encoders) to CSV or .npy");
  embed->add_option("MODEL", embed_model, "Exported model (.adapt)")->required();
  embed->add_option("INPUT", embed_inputs, "Raw inputs as the recipe's reader takes them (e.g. FASTA files)")
      ->required();
  embed->add_option("--out", embed_out, "Output file: .csv (id column, then e0..eD-1) or .npy (float32 [N, D])")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }

  try {
    if (*train && nproc > 1) {
      if (std::getenv("RANK") || std::getenv("WORLD_SIZE"))
        throw adapt::OptionError("--nproc: RANK/WORLD_SIZE are already set, so a launcher (torchrun, Slurm, ...) "
                                 "started this process; drop --nproc and let the launcher start the ranks");
      adapt::LaunchOptions launch;
      launch.nproc = nproc;
      return adapt::launch_local_workers("/proc/self/exe", worker_arguments(argc, argv), launch);
    }
    adapt::set_num_threads(threads);
    adapt::PluginHostOptions host_options;
    for (const auto& p : plugin_paths) host_options.plugin_paths.emplace_back(p);
    host_options.allow_insecure = allow_insecure;
    adapt::configure_global_plugins(host_options);

    if (*list) return adapt::cli::plugins_list(global);
    if (*info) return adapt::cli::plugins_info(global, info_name);
    if (*demo) return adapt::cli::demo(global, demo_name, demo_out);
    if (*train) {
      std::filesystem::path out = train_out.empty()
                                      ? std::filesystem::path("runs") / std::filesystem::path(recipe_file).stem()
                                      : std::filesystem::path(train_out);
      return adapt::cli::train(global, recipe_file, out, resume);
    }
    if (*predict) return adapt::cli::predict(global, model_file, inputs);
    if (*embed) return adapt::cli::embed(global, embed_model, embed_inputs, embed_out);
    std::cerr << app.help();
    return kUsageError;
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
