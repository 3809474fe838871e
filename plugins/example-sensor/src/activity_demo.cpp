// sensor.activity: synthetic accelerometer-like activity recognition. Four activities with the
// signatures real wrist/hip sensors show (gravity only when sitting, a ~2 Hz gait, a faster and
// stronger running cadence, periodic take-off/landing spikes when jumping), randomised per series in
// cadence, gain, sensor orientation and noise so the task is not trivial. Same seed, same bytes.
#include <cmath>
#include <array>
#include <cstdio>
#include <fstream>
#include <random>

#include "sensor.h"

namespace sensor {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kRate = 50.0;  // Hz

// Box-Muller on mt19937_64: std::normal_distribution's output differs between standard libraries.
class Gen {
 public:
  explicit Gen(uint64_t seed) : engine_(seed) {}
  double uniform(double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(engine_() >> 11) * 0x1.0p-53); }
  double normal() {
    double u1 = uniform(1e-12, 1.0), u2 = uniform(0.0, 1.0);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }

 private:
  std::mt19937_64 engine_;
};

const std::vector<std::string>& activities() {
  static const std::vector<std::string> names = {"jumping", "running", "sitting", "walking"};
  return names;
}

// One series [time][3] in units of g, in the sensor's (randomly tilted) frame.
std::vector<std::array<double, 3>> make_series(const std::string& activity, Gen& g) {
  const int n = static_cast<int>(g.uniform(150, 260));
  const double gain = g.uniform(0.7, 1.3), phase = g.uniform(0, 2 * kPi);
  const double noise = g.uniform(0.03, 0.12);
  double f = 0, amp = 0;
  if (activity == "walking") f = g.uniform(1.5, 2.2), amp = 0.35;
  if (activity == "running") f = g.uniform(2.4, 3.2), amp = 0.9;
  if (activity == "jumping") f = g.uniform(0.9, 1.5), amp = 1.6;
  // Tilt of the sensor: a rotation about x then y.
  const double a = g.uniform(-0.6, 0.6), b = g.uniform(-0.6, 0.6);
  std::vector<std::array<double, 3>> out(n);
  for (int i = 0; i < n; ++i) {
    const double t = i / kRate, w = 2 * kPi * f * t + phase;
    double x = 0, y = 0, z = 1.0;  // gravity
    if (activity == "sitting") {
      x += 0.03 * std::sin(0.3 * t + phase);  // slow postural sway
    } else if (activity == "jumping") {
      double s = std::max(0.0, std::sin(w));
      z += gain * amp * (std::pow(s, 6) - 0.3);
      x += 0.15 * gain * std::sin(w + 0.5);
    } else {
      z += gain * amp * (std::sin(w) + 0.35 * std::sin(2 * w + 0.7));
      x += gain * amp * 0.5 * std::sin(w + 1.3);
      y += gain * amp * 0.25 * std::sin(0.5 * w);  // sway at half the step rate
    }
    x += noise * g.normal(), y += noise * g.normal(), z += noise * g.normal();
    double y1 = std::cos(a) * y - std::sin(a) * z, z1 = std::sin(a) * y + std::cos(a) * z;
    double x2 = std::cos(b) * x + std::sin(b) * z1, z2 = -std::sin(b) * x + std::cos(b) * z1;
    out[i] = {x2, y1, z2};
  }
  return out;
}

void write_series(const std::filesystem::path& file, const std::vector<std::array<double, 3>>& series) {
  std::ofstream out(file);
  if (!out) throw adapt::DataError("sensor.activity: cannot write " + file.string());
  out << "ax,ay,az\n";
  char line[96];
  for (const auto& s : series) {
    std::snprintf(line, sizeof line, "%.4f,%.4f,%.4f\n", s[0], s[1], s[2]);
    out << line;
  }
  if (!out) throw adapt::DataError("sensor.activity: writing " + file.string() + " failed (disk full?)");
}

class ActivityDemo : public adapt::Demo {
 public:
  explicit ActivityDemo(int64_t per_class) : per_class_(per_class) {}

  std::string description() const override {
    return "activity recognition from synthetic 3-axis accelerometer series (4 classes, 50 Hz)";
  }

  void generate(const std::filesystem::path& dir, uint64_t seed) const override {
    Gen g(seed);
    for (const auto& activity : activities()) {
      std::filesystem::create_directories(dir / "series" / activity);
      for (int64_t i = 0; i < per_class_; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "%04lld.csv", static_cast<long long>(i));
        write_series(dir / "series" / activity / name, make_series(activity, g));
      }
    }
    // Series the model never sees in training or validation, for the predict step.
    std::filesystem::create_directories(dir / "unseen");
    for (const auto& activity : activities()) write_series(dir / "unseen" / (activity + ".csv"), make_series(activity, g));
  }

  adapt::json recipe(const std::filesystem::path& data_dir) const override {
    return {{"seed", 42},
            {"reader", {{"name", "sensor.series"}, {"path", (data_dir / "series").string()}}},
            {"splitter", {{"name", "core.stratified"}, {"valid_pct", 0.25}}},
            {"inputs", {{{"name", "sensor.window"}, {"length", 128}}}},
            {"target", {{"name", "core.category"}, {"column", "label"}}},
            {"transforms", {{{"name", "sensor.jitter"}}}},
            {"loader", {{"batch_size", 32}}},
            {"model", {{"name", "sensor.cnn1d"}}},
            {"metrics", {"core.accuracy"}},
            {"train", {{"schedule", "one_cycle"}, {"epochs", 8}, {"lr", 3e-3}}},
            {"baselines", {{{"name", "sensor.centroid"}}}}};
  }

  std::vector<std::string> predict_inputs(const std::filesystem::path& data_dir) const override {
    std::vector<std::string> inputs;
    for (const auto& activity : activities()) inputs.push_back((data_dir / "unseen" / (activity + ".csv")).string());
    return inputs;
  }

 private:
  int64_t per_class_;
};

}  // namespace

void register_demo(adapt::Registry& registry) {
  registry.add_demo("sensor.activity", "synthetic accelerometer activity recognition (walking, running, ...)",
                    {adapt::OptionSpec("per_class", adapt::OptionType::integer, 60, "series per activity").min(4)},
                    [](const adapt::Options& o) { return std::make_shared<ActivityDemo>(o.integer("per_class")); });
}

}  // namespace sensor
