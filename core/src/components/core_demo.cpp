// The core demo (core.demo): a synthetic numeric CSV whose class depends non-linearly on two
// of six features (concentric rings), so the MLP should clearly beat the logistic baseline.
#include "adapt/plugin/demo.h"

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "adapt/common/atomic_file.h"

namespace adapt {

namespace {

class CoreDemo : public Demo {
 public:
  explicit CoreDemo(int64_t rows) : rows_(rows) {}
  std::string description() const override {
    return "rings: 3 classes by the radius of (x1, x2), plus 4 noise features; MLP vs logistic regression";
  }

  void generate(const std::filesystem::path& dir, uint64_t seed) const override {
    std::mt19937_64 engine(seed);
    // Box-Muller from raw 64-bit draws: the same bytes on every platform for a seed.
    auto uniform = [&] { return (static_cast<double>(engine() >> 11) + 0.5) * (1.0 / 9007199254740992.0); };
    auto normal = [&] { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * M_PI * uniform()); };
    std::ostringstream csv;
    csv << "x1,x2,x3,x4,x5,x6,label\n";
    csv.precision(6);
    csv << std::fixed;
    for (int64_t i = 0; i < rows_; ++i) {
      double x[6];
      for (double& v : x) v = normal();
      double r = std::sqrt(x[0] * x[0] + x[1] * x[1]);
      const char* label = r < 0.8 ? "inner" : (r < 1.5 ? "ring" : "outer");
      for (double v : x) csv << v << ",";
      csv << label << "\n";
    }
    write_text_atomically(dir / "data.csv", csv.str());
  }

  json recipe(const std::filesystem::path& data_dir) const override {
    return {
        {"seed", 42},
        {"reader", {{"name", "core.csv"}, {"path", (data_dir / "data.csv").string()}}},
        {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
        {"inputs", json::array({{{"name", "core.regression"}, {"columns", {"x1", "x2", "x3", "x4", "x5", "x6"}}, {"normalize", true}}})},
        {"target", {{"name", "core.category"}, {"column", "label"}}},
        {"loader", {{"batch_size", 64}}},
        {"model", {{"name", "core.mlp"}, {"layers", {64, 32}}}},
        {"metrics", {"core.accuracy"}},
        {"train", {{"schedule", "one_cycle"}, {"epochs", 8}, {"lr", 1e-2}}},
        {"baselines", json::array({{{"name", "core.logistic"}}})},
    };
  }

  std::vector<std::string> predict_inputs(const std::filesystem::path&) const override {
    // CSV rows with the input columns, as `adapt predict model.adapt "x1=...,..."` would pass them.
    return {"0.1,0.2,0.5,-1.0,0.3,0.0", "1.2,0.3,0.0,0.0,0.0,0.0", "2.0,-1.5,0.0,0.0,0.0,0.0"};
  }

 private:
  int64_t rows_;
};

}  // namespace

OptionSchema core_demo_schema() {
  return {OptionSpec("rows", OptionType::integer, 2000, "rows of synthetic data").min(100)};
}

std::shared_ptr<Demo> make_core_demo(const Options& options) {
  return std::make_shared<CoreDemo>(options.integer("rows"));
}

}  // namespace adapt
