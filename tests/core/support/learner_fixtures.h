#pragma once
// Shared fixtures of the learner-side tests: small synthetic problems built from core components.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "adapt/data/data_loader.h"
#include "adapt/metrics/metrics.h"
#include "adapt/model/losses.h"
#include "adapt/plugin/registry.h"
#include "adapt/run/train_recipe.h"
#include "adapt/train/learner.h"
#include "support/temp_dir.h"

namespace adapt::testing {

inline Registry& core_test_registry() {
  static Registry* registry = [] {
    auto* r = new Registry();
    register_core_components(*r);
    return r;
  }();
  return *registry;
}

using test_support::TempDir;  // TempDir dir("name"); dir.path

// Deterministic rows: a, b ~ N(0, 1); label "pos" when a + 0.5 b > 0 (linearly separable).
inline Records linear_records(size_t n, uint64_t seed = 7) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal;
  Records records({"a", "b", "label"}, "linear");
  for (size_t i = 0; i < n; ++i) {
    double a = normal(engine), b = normal(engine);
    std::ostringstream sa, sb;
    sa.precision(6);
    sb.precision(6);
    sa << a;
    sb << b;
    records.add_row({sa.str(), sb.str(), a + 0.5 * b > 0 ? "pos" : "neg"}, "row " + std::to_string(i));
  }
  return records;
}

// Concentric rings: 3 classes by the radius of (x1, x2), two noise features. Not linearly separable.
inline std::string rings_csv(size_t n, uint64_t seed = 11) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal;
  std::ostringstream csv;
  csv << "x1,x2,x3,x4,label\n";
  csv.precision(6);
  for (size_t i = 0; i < n; ++i) {
    double x[4];
    for (double& v : x) v = normal(engine);
    double r = std::sqrt(x[0] * x[0] + x[1] * x[1]);
    csv << x[0] << "," << x[1] << "," << x[2] << "," << x[3] << "," << (r < 0.8 ? "inner" : r < 1.5 ? "ring" : "outer")
        << "\n";
  }
  return csv.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

struct TinyProblem {
  std::shared_ptr<const Records> records;
  std::vector<size_t> train, valid;
  std::shared_ptr<DataBlocks> blocks;
};

inline TinyProblem tiny_problem(size_t n = 400, size_t n_valid = 100) {
  auto& registry = core_test_registry();
  TinyProblem p;
  p.records = std::make_shared<const Records>(linear_records(n));
  for (size_t i = 0; i < n; ++i) (i < n - n_valid ? p.train : p.valid).push_back(i);
  std::vector<BoundBlock> inputs{{"x", registry.block({{"name", "core.regression"}, {"columns", {"a", "b"}}}, "inputs[0]")}};
  BoundBlock target{"y", registry.block({{"name", "core.category"}, {"column", "label"}}, "target")};
  p.blocks = std::make_shared<DataBlocks>(inputs, target);
  p.blocks->setup(p.records->subset(p.train));
  return p;
}

inline DataLoaders tiny_loaders(const TinyProblem& p, int64_t batch_size = 32, bool shuffle = true, int64_t workers = 0) {
  DataLoaders loaders;
  auto train_options = DataLoaderOptions().batch_size(batch_size).workers(workers).shuffle(shuffle).drop_last(false).seed(3);
  loaders.train = std::make_shared<DataLoader>(p.records, p.train, p.blocks, std::vector<std::shared_ptr<const Transform>>{},
                                               Split::train, train_options);
  loaders.valid = std::make_shared<DataLoader>(p.records, p.valid, p.blocks, std::vector<std::shared_ptr<const Transform>>{},
                                               Split::valid, DataLoaderOptions().batch_size(64).workers(workers));
  return loaders;
}

inline std::shared_ptr<Model> tiny_mlp(const TinyProblem& p, std::vector<int64_t> layers = {16}, bool batchnorm = false,
                                       double dropout = 0.0, uint64_t init_seed = 1) {
  torch::manual_seed(init_seed);
  ModelContext ctx{*p.blocks, p.blocks->target().block->n_outputs()};
  return core_test_registry().model(
      {{"name", "core.mlp"}, {"layers", layers}, {"batchnorm", batchnorm}, {"dropout", dropout}}, "model", ctx);
}

inline std::shared_ptr<Learner> tiny_learner(const TinyProblem& p, std::shared_ptr<Model> model, DataLoaders loaders,
                                             LearnerOptions options = LearnerOptions()) {
  options.progress(false);
  return std::make_shared<Learner>(model, p.blocks, loaders, make_loss("cross_entropy"),
                                   std::vector<std::shared_ptr<Metric>>{std::make_shared<Accuracy>()}, options);
}

inline std::vector<torch::Tensor> weights_of(Model& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model.parameters()) out.push_back(p.detach().clone());
  for (const auto& b : model.buffers()) out.push_back(b.detach().clone());
  return out;
}

inline bool bit_equal(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

// A run that logs into `out` and writes no files.
inline RunOptions quiet(std::ostream& out) {
  RunOptions options;
  options.out = &out;
  options.progress = false;
  options.write_files = false;
  return options;
}

// A recipe over a rings CSV in `dir` using core components only.
inline json rings_recipe(const std::filesystem::path& dir, size_t rows = 1500, int64_t epochs = 8) {
  write_file(dir / "rings.csv", rings_csv(rows));
  return {
      {"seed", 42},
      {"reader", {{"name", "core.csv"}, {"path", (dir / "rings.csv").string()}}},
      {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
      {"inputs", json::array({{{"name", "core.regression"}, {"columns", {"x1", "x2", "x3", "x4"}}, {"normalize", true}}})},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"loader", {{"batch_size", 64}, {"workers", 1}}},
      {"model", {{"name", "core.mlp"}, {"layers", {64, 32}}}},
      {"metrics", {"core.accuracy"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", epochs}, {"lr", 1e-2}}},
      {"baselines", json::array({{{"name", "core.logistic"}}})},
  };
}

}  // namespace adapt::testing
