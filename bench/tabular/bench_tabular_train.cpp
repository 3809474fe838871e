// Training throughput of tabular.model through the real path (tabular.csv -> tabular.table ->
// DataLoader fast path -> Learner with AdamW and one-cycle), in training rows per second.
//
//   bench_tabular_train --data DIR/uci-adult [--epochs 3] [--batch-size 64] [--threads 1]
//
// Prints one JSON line; bench/tabular/run.sh runs it beside the PyTorch peer.
#include <chrono>
#include <iostream>
#include <string>

#include "adapt/common/memory.h"
#include "adapt/common/threads.h"
#include "adapt/data/data_blocks.h"
#include "adapt/data/data_loader.h"
#include "adapt/model/losses.h"
#include "adapt/plugin/plugin_host.h"
#include "adapt/train/callbacks.h"
#include "adapt/train/learner.h"
#include "step_profile.h"

using namespace adapt;

int main(int argc, char** argv) {
  adapt::reuse_freed_memory();  // as the adapt program does: steps reuse freed pages
  std::string data;
  int64_t epochs = 3, batch_size = 64, threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--data") data = value;
    else if (key == "--epochs") epochs = std::stoll(value);
    else if (key == "--batch-size") batch_size = std::stoll(value);
    else if (key == "--threads") threads = std::stoll(value);
    else {
      std::cerr << "unknown option " << key << "\n";
      return 2;
    }
  }
  if (data.empty()) {
    std::cerr << "usage: bench_tabular_train --data DIR/uci-adult [--epochs N] [--batch-size N] [--threads N]\n";
    return 2;
  }
  try {
    set_num_threads(static_cast<int>(threads));
    Registry& registry = global_registry();
    const json columns = {"age",          "workclass",    "fnlwgt",         "education",      "education-num",
                          "marital-status", "occupation", "relationship",   "race",           "sex",
                          "capital-gain", "capital-loss", "hours-per-week", "native-country", "income"};
    auto reader = registry.reader({{"name", "tabular.csv"}, {"path", data + "/adult.data"}, {"header", false},
                                   {"column_names", columns}},
                                  "reader");
    auto records = std::make_shared<const Records>(reader->read());
    std::vector<size_t> rows(records->size());
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;

    auto table = registry.block(
        {{"name", "tabular.table"},
         {"cat_names", {"workclass", "education", "marital-status", "occupation", "relationship", "race", "sex",
                        "native-country"}},
         {"cont_names", {"age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"}}},
        "inputs[0]");
    auto target = registry.block({{"name", "core.category"}, {"column", "income"}}, "target");
    auto blocks = std::make_shared<DataBlocks>(std::vector<BoundBlock>{{"x", table}}, BoundBlock{"y", target});
    const auto t_setup = std::chrono::steady_clock::now();
    blocks->setup(*records);
    DataLoaders loaders;
    loaders.train = std::make_shared<DataLoader>(records, rows, blocks, std::vector<std::shared_ptr<const Transform>>{},
                                                 Split::train, DataLoaderOptions().batch_size(batch_size).workers(0));
    const double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_setup).count();

    ModelContext ctx{*blocks, target->n_outputs()};
    auto model = registry.model({{"name", "tabular.model"}, {"layers", {200, 100}}}, "model", ctx);
    Learner learner(model, blocks, loaders, std::make_shared<CrossEntropyLoss>(), {},
                    LearnerOptions().progress(false).wd(0.01));
    const auto t0 = std::chrono::steady_clock::now();
    learner.fit_one_cycle(epochs, 1e-2);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double trained_rows = static_cast<double>(loaders.train->num_batches() * batch_size * epochs);
    std::cout << json{{"impl", "adapt"},
                      {"threads", threads},
                      {"batch_size", batch_size},
                      {"epochs", epochs},
                      {"fast_path", loaders.train->cached()},
                      {"setup_and_encode_s", setup_s},
                      {"train_s", seconds},
                      {"rows_per_s", trained_rows / seconds},
                      {"final_train_loss", learner.recorder().losses().empty() ? 0.0 : learner.recorder().losses().back()}}
                     .dump()
              << std::endl;
    // ADAPT_BENCH_PROFILE: one more epoch, after the timed ones, profiles its steps.
    bench::StepProfile profile("TabularModel [200, 100], batch " + std::to_string(batch_size));
    if (profile.enabled()) {
      learner.add_callback(std::make_shared<bench::StepProfileCallback>(profile));
      learner.fit_one_cycle(1, 1e-2);
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_tabular_train: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
