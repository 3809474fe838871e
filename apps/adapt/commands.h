#pragma once
// The subcommands of `adapt` that need LibTorch, in libadapt_cli (`adapt plugins` is in
// plugins_command.h). Each returns the process exit code (0 success); failures throw adapt::Error,
// which adapt_cli_main() turns into a message on stderr and exit code 1.
#include <adapt/common/options.h>
#include <adapt/data/records.h>

#include <filesystem>
#include <string>
#include <vector>

namespace adapt::cli {

struct Global {
  bool json_output = false;
};

// Warnings and failures of the plugin host, on stderr (before a command that needs plugins).
void report_plugin_problems();

// What names record i in output: its "id" column when the reader gives one (a FASTA file gives
// many records), else the command-line input it came from.
std::string record_label(const Records& records, const std::vector<std::string>& inputs, size_t i);

int demo(const Global& global, const std::string& name, const std::filesystem::path& out_dir);
// Joins a distributed run when the torchrun variables are set (docs/distributed.md); `resume`
// continues from out_dir/checkpoint.pt.
int train(const Global& global, const std::filesystem::path& recipe_file, const std::filesystem::path& out_dir,
          bool resume = false, bool resume_or_start = false);
int predict(const Global& global, const std::filesystem::path& model_file, const std::vector<std::string>& inputs);
int embed(const Global& global, const std::filesystem::path& model_file, const std::vector<std::string>& inputs,
          const std::filesystem::path& out_file);

}  // namespace adapt::cli
