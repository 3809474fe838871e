// The fusion demo (core.fusion, `adapt demo fusion`): short product reviews plus three numeric
// columns, where neither decides the label alone: a customer keeps the item when the review's tone
// agrees with the sign of x1 + x2 (an XOR). The text alone and the numbers alone are at chance; the
// fused model (text plugin's Transformer + core.mlp under core.fusion) learns it, and "ablate"
// trains each branch alone to show it.
#include <random>
#include <sstream>

#include "adapt/common/atomic_file.h"
#include "adapt/plugin/demo.h"
#include "components/core_components.h"

namespace adapt {

namespace {

const char* const kPositive[] = {"great", "excellent", "love", "perfect", "sturdy", "recommend"};
const char* const kNegative[] = {"awful", "broken", "hate", "flimsy", "useless", "disappointing"};
const char* const kFiller[] = {"the", "phone", "case", "arrived", "today", "and", "it", "is", "really", "quite",
                               "my", "daughter", "said", "this", "colour", "size", "box", "seller", "shipping", "was",
                               "after", "one", "week", "of", "use", "battery", "screen", "cable", "charger", "price"};

class FusionDemo : public Demo {
 public:
  explicit FusionDemo(int64_t rows) : rows_(rows) {}
  std::string description() const override {
    return "reviews + numbers where only both decide (an XOR): text alone and numbers alone are at chance, "
           "core.fusion of a text Transformer and an MLP is not, nor is the stacked TF-IDF + logistic baseline "
           "(needs the text plugin)";
  }

  void generate(const std::filesystem::path& dir, uint64_t seed) const override {
    std::mt19937_64 engine(seed);
    auto uniform = [&] { return (static_cast<double>(engine() >> 11) + 0.5) * (1.0 / 9007199254740992.0); };
    auto pick = [&](size_t n) { return static_cast<size_t>(uniform() * static_cast<double>(n)); };
    std::ostringstream csv;
    csv << "review,x1,x2,x3,label\n";
    csv.precision(4);
    csv << std::fixed;
    for (int64_t i = 0; i < rows_; ++i) {
      const bool positive = uniform() < 0.5;
      const size_t words = 5 + pick(6), signal_at = pick(words);
      for (size_t w = 0; w < words; ++w) {
        if (w > 0) csv << " ";
        csv << (w == signal_at ? (positive ? kPositive[pick(6)] : kNegative[pick(6)]) : kFiller[pick(30)]);
      }
      const double x1 = 2 * uniform() - 1, x2 = 2 * uniform() - 1, x3 = 2 * uniform() - 1;
      csv << "," << x1 << "," << x2 << "," << x3 << "," << (positive == (x1 + x2 > 0) ? "keep" : "return") << "\n";
    }
    write_text_atomically(dir / "reviews.csv", csv.str());
  }

  json recipe(const std::filesystem::path& data_dir) const override {
    json text = {{"encoder", {{"name", "text.transformer_classifier"}, {"input", "text"}, {"d_model", 32},
                              {"n_heads", 2}, {"n_layers", 1}, {"ff_size", 64}, {"max_len", 32}}},
                 {"baseline", "text.tfidf_logistic"}};
    json numbers = {{"encoder", {{"name", "core.mlp"}, {"input", "numbers"}, {"layers", {32}}}},
                    {"baseline", "core.logistic"}};
    return {
        {"seed", 42},
        {"reader", {{"name", "core.csv"}, {"path", (data_dir / "reviews.csv").string()}}},
        {"splitter", {{"name", "core.random"}, {"valid_pct", 0.2}}},
        {"inputs", json::array({{{"name", "text.tokens"}, {"columns", {"review"}}, {"vocab_size", 120},
                                 {"max_tokens", 32}, {"on_empty", "keep"}, {"key", "text"}},
                                {{"name", "core.regression"}, {"columns", {"x1", "x2", "x3"}}, {"normalize", true},
                                 {"key", "numbers"}}})},
        {"target", {{"name", "core.category"}, {"column", "label"}}},
        {"loader", {{"batch_size", 64}}},
        // A few training rows lose one input, so the model also predicts when one is missing.
        {"transforms", json::array({{{"name", "core.modality_dropout"}, {"p", 0.05}}})},
        {"model", {{"name", "core.fusion"}, {"combiner", "concat"}, {"head", {64}}, {"ablate", true},
                   {"branches", {{"text", text}, {"numbers", numbers}}}}},
        {"metrics", {"core.accuracy"}},
        {"train", {{"schedule", "one_cycle"}, {"epochs", 12}, {"lr", 3e-3}}},
    };
  }

  std::vector<std::string> predict_inputs(const std::filesystem::path&) const override {
    // Rows of the input columns (review, x1, x2, x3), as `adapt predict` takes them.
    return {"the case arrived today and it is great,0.6,0.3,0.0", "the case arrived today and it is great,-0.6,-0.3,0.0",
            "my charger was broken after one week,0.6,0.3,0.0"};
  }

 private:
  int64_t rows_;
};

}  // namespace

void register_fusion_demo(Registry& registry) {
  registry.add_demo("core.fusion", "text + numbers that only together decide the label: core.fusion vs each branch",
                    {OptionSpec("rows", OptionType::integer, 3000, "rows of synthetic data").min(200)},
                    [](const Options& o) -> std::shared_ptr<Demo> { return std::make_shared<FusionDemo>(o.integer("rows")); });
}

}  // namespace adapt
