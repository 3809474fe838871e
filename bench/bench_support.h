#pragma once
// The scaffolding the bench programs would otherwise each write again: their command lines, the
// clock, the core benches' synthetic table and the ids.tsv file the plugin benches hand to their
// PyTorch peers (bench/peers/peer_support.py reads it). Nothing here is timed differently per program.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapt/common/threads.h"
#include "adapt/data/data_loader.h"
#include "adapt/plugin/registry.h"

namespace adapt::bench {

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// The core benches' flags: [--threads N] [--epochs E] [--repeats R]; sets the thread count.
struct CoreFlags {
  int threads = 1, epochs = 3, repeats = 3;
};

inline CoreFlags parse_core_flags(int argc, char** argv) {
  CoreFlags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) flags.threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--epochs")) flags.epochs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--repeats")) flags.repeats = std::atoi(argv[i + 1]);
  }
  set_num_threads(flags.threads);
  return flags;
}

// The core benches' table: number columns f0..f<n-1>, then "label".
inline std::vector<std::string> table_columns(int64_t features) {
  std::vector<std::string> names;
  for (int64_t f = 0; f < features; ++f) names.push_back("f" + std::to_string(f));
  names.push_back("label");
  return names;
}

// Every row of such a table in order, as core.regression inputs and a core.category target.
struct TableLoader {
  std::shared_ptr<DataBlocks> blocks;
  std::shared_ptr<DataLoader> loader;
};

inline TableLoader table_loader(Registry& registry, std::shared_ptr<const Records> records, int64_t batch_size) {
  std::vector<std::string> features(records->column_names().begin(), records->column_names().end() - 1);
  auto blocks = std::make_shared<DataBlocks>(
      std::vector<BoundBlock>{{"x", registry.block({{"name", "core.regression"}, {"columns", features}}, "x")}},
      BoundBlock{"y", registry.block({{"name", "core.category"}, {"column", "label"}}, "y")});
  blocks->setup(*records);
  std::vector<size_t> rows(records->size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  auto loader = std::make_shared<DataLoader>(records, rows, blocks, std::vector<std::shared_ptr<const Transform>>{},
                                             Split::train, DataLoaderOptions().batch_size(batch_size).workers(1));
  return {blocks, loader};
}

// The plugin benches' command line: NAME INPUT OUT_DIR [EPOCHS]. Creates OUT_DIR and lets the
// thread count default; nullopt (usage printed) when INPUT or OUT_DIR is missing.
struct PluginArgs {
  std::string input;
  std::filesystem::path out_dir;
  int epochs;
  std::string sampler = "random";  // a fourth argument, where a bench takes one (bench_protein)
};

inline std::optional<PluginArgs> parse_plugin_args(int argc, char** argv, const char* usage, int default_epochs) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s\n", usage);
    return std::nullopt;
  }
  PluginArgs args{argv[1], argv[2], argc > 3 ? std::stoi(argv[3]) : default_epochs, argc > 4 ? argv[4] : "random"};
  std::filesystem::create_directories(args.out_dir);
  set_num_threads(0);
  return args;
}

// ids.tsv for a peer: "vocab_size\t<V>", then one "<label>\t<id id ...>" line per row;
// row(i) gives the pair {label, 1-d ids tensor}.
template <typename Row>
void write_peer_ids(const std::filesystem::path& file, int64_t vocab_size, size_t rows, Row row) {
  std::ofstream out(file);
  out << "vocab_size\t" << vocab_size << "\n";
  for (size_t r = 0; r < rows; ++r) {
    const auto [label, ids] = row(r);
    out << label << "\t";
    for (int64_t i = 0; i < ids.size(0); ++i) out << (i ? " " : "") << ids[i].template item<int64_t>();
    out << "\n";
  }
}

}  // namespace adapt::bench
