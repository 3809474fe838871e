// mytemplate.scale: one numeric column -> a standardised scalar feature. The smallest complete
// block: options with a schema, state learned on the training split only, and export round trip.
#include <adapt/plugin/registry.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace mytemplate {

namespace {

class ScaleBlock : public adapt::Block {
 public:
  explicit ScaleBlock(std::string column) : column_(std::move(column)) {}

  std::vector<std::string> columns() const override { return {column_}; }

  void setup(const adapt::Records& train) override {
    double sum = 0, sum_sq = 0;
    for (size_t row = 0; row < train.size(); ++row) {
      double v = parse(train, row);
      sum += v;
      sum_sq += v * v;
    }
    const double n = std::max<double>(1.0, static_cast<double>(train.size()));
    mean_ = sum / n;
    const double var = std::max(0.0, sum_sq / n - mean_ * mean_);
    std_ = std::sqrt(var) > 1e-12 ? std::sqrt(var) : 1.0;
  }

  adapt::TensorDict encode(const adapt::Records& records, size_t row, const adapt::EncodeContext&) const override {
    return {{"", torch::tensor({static_cast<float>((parse(records, row) - mean_) / std_)})}};
  }

  adapt::json dims() const override { return {{"features", 1}}; }
  adapt::json state() const override { return {{"mean", mean_}, {"std", std_}}; }
  void load_state(const adapt::json& state) override {
    mean_ = state.at("mean").get<double>();
    std_ = state.at("std").get<double>();
  }

 private:
  // Bad input is a DataError naming where it came from, the column and the value.
  double parse(const adapt::Records& records, size_t row) const {
    const std::string& text = records.at(row, column_);
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) {
      throw adapt::DataError("mytemplate.scale: " + records.origin(row) + ", column \"" + column_ +
                             "\": expected a finite number, got \"" + text + "\"");
    }
    return v;
  }

  std::string column_;
  double mean_ = 0, std_ = 1;
};

}  // namespace

void register_scale_block(adapt::Registry& registry) {
  registry.add_block("mytemplate.scale", "one numeric column -> standardised feature (statistics from train)",
                     {adapt::OptionSpec("column", adapt::OptionType::string, nullptr, "the numeric column").required()},
                     [](const adapt::Options& o) { return std::make_shared<ScaleBlock>(o.string("column")); });
}

}  // namespace mytemplate
