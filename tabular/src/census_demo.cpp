// tabular.demo: a deterministic synthetic census-like table (ages, work classes, education, hours,
// capital gains, an interview date) with missing values, rare categories and an imbalanced income
// label (about one row in four is ">50K"), written as train.csv and test.csv.
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "adapt/common/atomic_file.h"
#include "register.h"
#include "values.h"

namespace adapt::tabular {

namespace {

struct Choice {
  const char* value;
  double weight;
  double effect;  // on the income log-odds
};

// Draws from a weighted list with our own arithmetic (std::discrete_distribution's algorithm is
// unspecified), so the same seed writes the same bytes with any standard library.
const Choice& draw(const std::vector<Choice>& choices, std::mt19937_64& engine) {
  double total = 0;
  for (const auto& c : choices) total += c.weight;
  double u = (static_cast<double>(engine() >> 11) * 0x1.0p-53) * total;
  for (const auto& c : choices) {
    if (u < c.weight) return c;
    u -= c.weight;
  }
  return choices.back();
}

double uniform(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
double normal(std::mt19937_64& engine) {  // Box-Muller, portable
  const double u1 = std::max(uniform(engine), 1e-300), u2 = uniform(engine);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

const std::vector<Choice>& workclasses() {
  static const std::vector<Choice> c{{"Private", 70, 0.0},       {"Self-emp", 11, 0.35},  {"Local-gov", 7, 0.1},
                                     {"State-gov", 5, 0.05},     {"Federal-gov", 3, 0.5}, {"Without-pay", 0.25, -2.0},
                                     {"Never-worked", 0.15, -2.0}, {"", 3.6, -0.4}};
  return c;
}
const std::vector<Choice>& educations() {
  static const std::vector<Choice> c{{"HS-grad", 32, 0.0},     {"Some-college", 22, 0.2}, {"Bachelors", 17, 1.0},
                                     {"Masters", 6, 1.4},      {"Doctorate", 1.3, 1.9},   {"Prof-school", 1.7, 2.0},
                                     {"Assoc", 7, 0.4},        {"11th", 4, -0.8},         {"9th", 2, -1.0},
                                     {"Preschool", 0.15, -1.5}};
  return c;
}
const std::vector<Choice>& marital() {
  static const std::vector<Choice> c{{"Married", 46, 1.7}, {"Never-married", 33, -0.6}, {"Divorced", 14, -0.2},
                                     {"Widowed", 3, -0.2}, {"Separated", 3, -0.4},       {"Married-AF", 0.1, 1.5}};
  return c;
}
const std::vector<Choice>& occupations() {
  static const std::vector<Choice> c{{"Exec-managerial", 12, 0.9}, {"Prof-specialty", 12, 0.8}, {"Craft-repair", 12, 0.0},
                                     {"Adm-clerical", 11, -0.3},   {"Sales", 11, 0.2},          {"Other-service", 10, -1.0},
                                     {"Machine-op", 6, -0.4},      {"Transport", 5, -0.2},      {"Tech-support", 3, 0.4},
                                     {"Protective-serv", 2, 0.3},  {"Armed-Forces", 0.05, 0.0}, {"?", 5, -0.5}};
  return c;
}

const char* kHeader = "age,workclass,education,marital_status,occupation,sex,hours_per_week,capital_gain,"
                      "interview_date,income";

// One row and its label, from the model the network has to find.
std::string make_row(std::mt19937_64& engine, bool with_label) {
  const int age = std::clamp(static_cast<int>(std::lround(38 + 13 * normal(engine))), 17, 90);
  const Choice& work = draw(workclasses(), engine);
  const Choice& edu = draw(educations(), engine);
  const Choice& mar = draw(marital(), engine);
  const Choice& occ = draw(occupations(), engine);
  const bool male = uniform(engine) < 0.67;
  const int hours = std::clamp(static_cast<int>(std::lround(40 + 11 * normal(engine))), 1, 99);
  const bool has_gain = uniform(engine) < 0.08;
  const double gain = has_gain ? std::round(std::exp(7.5 + 1.3 * normal(engine))) : 0.0;
  const bool gain_missing = uniform(engine) < 0.03;
  const int month = 1 + static_cast<int>(uniform(engine) * 12), day = 1 + static_cast<int>(uniform(engine) * 28);
  const bool date_missing = uniform(engine) < 0.02;

  // Income log-odds: age is an inverted U, hours help, a married person's income counts twice.
  double signal = work.effect + edu.effect + mar.effect + occ.effect + (male ? 0.3 : 0.0);
  signal += 0.06 * (age - 17) - 0.0009 * (age - 17) * (age - 17) + 0.035 * (hours - 40);
  if (gain > 5000) signal += 3.0;
  if (month == 12) signal += 0.4;  // year-end bonus season
  // Scale and intercept give about 25% positives (the census has 24%) and a Bayes accuracy of
  // about 0.88 (simulated: the mean of max(p, 1 - p)), so a model's accuracy says how much it found.
  const double logit = -6.5 + 2.0 * signal + 0.5 * normal(engine);
  const bool rich = uniform(engine) < 1.0 / (1.0 + std::exp(-logit));

  std::string row = fmt::format("{},{},{},{},{},{},{},{},{},", age, work.value, edu.value, mar.value, occ.value,
                                male ? "Male" : "Female", hours, gain_missing ? "NA" : fmt::format("{:.0f}", gain),
                                date_missing ? "" : fmt::format("2023-{:02d}-{:02d}", month, day));
  if (with_label) row += rich ? ">50K" : "<=50K";
  return row;
}

class CensusDemo : public Demo {
 public:
  explicit CensusDemo(const Options& o)
      : rows_(o.integer("rows")), test_rows_(o.integer("test_rows")), epochs_(o.integer("epochs")) {}

  std::string description() const override {
    return fmt::format("synthetic census table ({} train + {} test rows): income >50K from age, work class, "
                       "education, marital status, occupation, hours, capital gain and date",
                       rows_, test_rows_);
  }

  void generate(const std::filesystem::path& dir, uint64_t seed) const override {
    std::filesystem::create_directories(dir);
    std::mt19937_64 engine(seed);
    const auto write = [&](const char* name, int64_t n) {
      std::ostringstream out;
      out << kHeader << "\n";
      for (int64_t i = 0; i < n; ++i) out << make_row(engine, true) << "\n";
      write_text_atomically(dir / name, out.str());
    };
    write("train.csv", rows_);
    write("test.csv", test_rows_);
  }

  json recipe(const std::filesystem::path& data_dir) const override {
    return {
        {"seed", 42},
        {"reader",
         {{"name", "tabular.csv"}, {"path", (data_dir / "train.csv").string()},
          {"test_path", (data_dir / "test.csv").string()}, {"valid_pct", 0.2}}},
        {"splitter", {{"name", "core.by_column"}, {"column", "split"}}},
        {"inputs",
         {{{"name", "tabular.table"},
           {"cat_names", {"workclass", "education", "marital_status", "occupation", "sex"}},
           {"cont_names", {"age", "hours_per_week", "capital_gain"}},
           {"date_names", {"interview_date"}},
           {"min_freq", 10}}}},
        {"target", {{"name", "core.category"}, {"column", "income"}}},
        {"loader", {{"batch_size", 128}}},
        {"model", {{"name", "tabular.model"}, {"layers", {200, 100}}}},
        {"metrics", {"core.accuracy", {{"name", "core.f1"}, {"average", "macro"}}}},
        {"train", {{"schedule", "one_cycle"}, {"epochs", epochs_}, {"lr", 1e-2}, {"wd", 0.1}}},
        {"baselines", {{{"name", "tabular.linear"}}, {{"name", "tabular.xgboost"}, {"n_rounds", 200}}}},
        {"reports", {{{"name", "tabular.permutation_importance"}, {"n_repeats", 2}}}},
    };
  }

  std::vector<std::string> predict_inputs(const std::filesystem::path&) const override {
    return {
        "age=52,workclass=Self-emp,education=Masters,marital_status=Married,occupation=Exec-managerial,sex=Male,"
        "hours_per_week=55,capital_gain=15000,interview_date=2023-12-15",
        "age=23,workclass=Private,education=HS-grad,marital_status=Never-married,occupation=Other-service,"
        "sex=Female,hours_per_week=25,capital_gain=0,interview_date=2023-03-02",
        // an unseen work class and missing values: read as missing, not an error
        "age=41,workclass=Space-agency,education=Bachelors,marital_status=Divorced,occupation=?,sex=Female,"
        "hours_per_week=,capital_gain=NA,interview_date=",
    };
  }

 private:
  int64_t rows_, test_rows_, epochs_;
};

}  // namespace

void register_demo(Registry& registry) {
  registry.add_demo("tabular.demo",
                    "synthetic census table: the network against logistic regression and XGBoost",
                    {OptionSpec("rows", OptionType::integer, 8000, "training rows (a validation part is carved out)")
                         .min(100),
                     OptionSpec("test_rows", OptionType::integer, 2000, "held-out test rows").min(10),
                     OptionSpec("epochs", OptionType::integer, 5, "training epochs").min(1)},
                    [](const Options& o) { return std::make_shared<CensusDemo>(o); });
}

}  // namespace adapt::tabular
