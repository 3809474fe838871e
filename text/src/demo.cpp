// text.demo: deterministic synthetic product reviews (positive / negative / neutral) with
// class-dependent vocabulary, negation that flips the meaning ("not great" is negative), shouting,
// repeated punctuation, typos and a little label noise; trained with an AWD-LSTM next to TF-IDF.
#include <fmt/format.h>

#include <fstream>
#include <random>

#include "adapt/common/atomic_file.h"
#include "adapt/data/csv_writer.h"
#include "register.h"

namespace adapt::text {
namespace {

constexpr int64_t demo_rows = 1000;

template <typename T>
const T& pick(const std::vector<T>& v, std::mt19937_64& rng) {
  return v[rng() % v.size()];
}

std::string typo(std::string word, std::mt19937_64& rng) {
  if (word.size() < 4) return word;
  const size_t i = 1 + rng() % (word.size() - 2);
  std::swap(word[i], word[i + 1]);
  return word;
}

class TextDemo : public Demo {
 public:
  std::string description() const override {
    return "synthetic product reviews: positive / negative / neutral, with negation and noise";
  }

  void generate(const std::filesystem::path& dir, uint64_t seed) const override {
    std::mt19937_64 rng(seed);
    const std::vector<std::string> products = {"blender", "headphones", "kettle", "phone case", "lamp",
                                               "backpack", "keyboard", "camera", "vacuum", "toaster"};
    const std::vector<std::string> good = {"great", "excellent", "amazing", "wonderful", "perfect",
                                           "lovely", "fantastic", "superb", "reliable", "sturdy"};
    const std::vector<std::string> bad = {"terrible", "awful", "broken", "useless", "horrible",
                                          "disappointing", "flimsy", "faulty", "noisy", "cheap"};
    const std::vector<std::string> plain = {"blue", "medium sized", "as described", "standard", "average",
                                            "ordinary", "heavier than my old one", "made in a factory"};
    const std::vector<std::string> openers = {"Honestly", "Well", "So", "I think", "After a week",
                                              "My husband says", "To be fair", "Overall"};
    const std::vector<std::string> fillers = {"It arrived on Tuesday.", "Delivery took three days.",
                                              "I bought it for my kitchen.", "The box was recycled.",
                                              "Ordered the grey one.", "Came with a manual."};
    const std::vector<std::string> labels = {"negative", "neutral", "positive"};
    std::string csv = "text,label\n";
    for (int64_t i = 0; i < demo_rows; ++i) {
      const int cls = static_cast<int>(rng() % 3);  // 0 negative, 1 neutral, 2 positive
      const bool negate = cls != 1 && rng() % 4 == 0;
      std::string adjective;
      if (cls == 1) {
        adjective = pick(plain, rng);
      } else {
        // A negated adjective of the opposite polarity carries the label: "not great" -> negative.
        const bool positive_word = (cls == 2) != negate;
        adjective = positive_word ? pick(good, rng) : pick(bad, rng);
      }
      if (rng() % 8 == 0) adjective = typo(adjective, rng);
      if (rng() % 10 == 0) {
        for (auto& c : adjective) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      std::string text = fmt::format("{}, the {} is {}{}", pick(openers, rng), pick(products, rng),
                                     negate ? "not " : "", adjective);
      text += rng() % 5 == 0 ? "!!!" : ".";
      if (rng() % 2 == 0) text += " " + pick(fillers, rng);
      int label = cls;
      if (rng() % 50 == 0) label = static_cast<int>(rng() % 3);  // 2% label noise
      csv += csv_row({text, labels[static_cast<size_t>(label)]});
    }
    write_text_atomically(dir / "reviews.csv", csv);
  }

  json recipe(const std::filesystem::path& data_dir) const override {
    return {
        {"seed", 42},
        {"reader", {{"name", "text.csv"}, {"path", (data_dir / "reviews.csv").string()}}},
        {"splitter", {{"name", "core.stratified"}, {"column", "label"}, {"valid_pct", 0.2}}},
        {"inputs", {{{"name", "text.tokens"}, {"vocab_size", 300}, {"max_tokens", 64}}}},
        {"target", {{"name", "core.category"}, {"column", "label"}}},
        {"transforms", {{{"name", "text.token_dropout"}, {"rate", 0.05}}}},
        {"loader", {{"batch_size", 32}, {"sampler", "bucket"}}},
        {"model",
         {{"name", "text.awd_lstm_classifier"}, {"emb_size", 48}, {"hidden_size", 64}, {"n_layers", 1},
          {"drop_mult", 0.3}}},
        {"metrics", {"core.accuracy", {{"name", "core.f1"}, {"average", "macro"}}}},
        {"train", {{"schedule", "one_cycle"}, {"epochs", 8}, {"lr", 1e-2}}},
        {"baselines", {{{"name", "text.tfidf_logistic"}}}},
    };
  }

  std::vector<std::string> predict_inputs(const std::filesystem::path&) const override {
    return {"Honestly, the kettle is not great. It broke after a week.", "Well, the lamp is AMAZING!!!",
            "So, the backpack is blue. Came with a manual."};
  }
};

}  // namespace

void register_demo(Registry& registry) {
  registry.add_demo("text.demo", "synthetic reviews with negation and noise: AWD-LSTM vs TF-IDF", {},
                    [](const Options&) { return std::make_shared<TextDemo>(); });
}

}  // namespace adapt::text
