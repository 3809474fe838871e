// Real data: the SMS Spam Collection (ADAPT_DATA_DIR/text/sms-spam-collection). Skips without it.
// Protocol (issue 5): drop the 403 exact duplicate rows first, then a seeded stratified 80/20 split.
// Settings were chosen with 10% of all rows carved from the 80% as validation (valid_pct 0.1); this
// test refits them on the whole 80% (valid_pct 0) and scores the 20% test part once. The splitters
// draw test rows first, so both runs hold out the same test rows. Validation accuracy of these
// settings on the current split: 0.9923 (TF-IDF 0.9961). They were first chosen when the splitter
// drew validation rows first, on a validation part that now lies inside the test part; they have not
// been changed since.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "adapt/baseline/linear_model.h"
#include "adapt/common/threads.h"
#include "adapt/data/csv.h"
#include "adapt/export/export.h"
#include "adapt/metrics/metrics.h"
#include "adapt/monitor/sequence_likelihood.h"
#include "adapt/run/train_recipe.h"
#include "awd_lstm.h"
#include "text_test_support.h"
#include "support/quiet_run.h"
#include "support/test_seed.h"

namespace adapt::text {
namespace {

std::filesystem::path sms_file() {
  const char* root = std::getenv("ADAPT_DATA_DIR");
  if (root == nullptr || *root == '\0') return {};
  auto file = std::filesystem::path(root) / "text" / "sms-spam-collection" / "SMSSpamCollection";
  return std::filesystem::exists(file) ? file : std::filesystem::path();
}

json sms_recipe(const std::filesystem::path& file) {
  return {
      {"seed", 42},
      {"reader",
       {{"name", "text.csv"}, {"path", file.string()}, {"delimiter", "tab"}, {"header", false},
        {"column_names", {"label", "text"}}, {"quoting", false}, {"drop_duplicates", true}}},
      {"splitter", {{"name", "core.stratified"}, {"column", "label"}, {"valid_pct", 0.0}, {"test_pct", 0.2}}},
      {"inputs", {{{"name", "text.tokens"}, {"vocab_size", 4000}, {"max_tokens", 200}}}},
      {"target", {{"name", "core.category"}, {"column", "label"}}},
      {"transforms", {{{"name", "text.token_dropout"}, {"rate", 0.05}}}},
      {"loader", {{"batch_size", 32}, {"sampler", "bucket"}}},
      {"model",
       {{"name", "text.awd_lstm_classifier"}, {"emb_size", 128}, {"hidden_size", 256}, {"n_layers", 1},
        {"bidirectional", true}, {"drop_mult", 0.3}}},
      {"metrics", {"core.accuracy", {{"name", "core.f1"}, {"average", "macro"}}, "core.mcc"}},
      {"train", {{"schedule", "one_cycle"}, {"epochs", 6}, {"lr", 5e-3}}},
      {"baselines", {{{"name", "text.tfidf_logistic"}, {"C", 30.0}}}},
  };
}

// The first 1,000 non-empty texts of a CSV file, `columns` joined by a space, in a column "text".
Records first_texts(const std::filesystem::path& file, const std::vector<std::string>& columns, const std::string& name) {
  const Records table = read_csv_file(file.string());
  Records out({"text"}, name);
  for (size_t r = 0; r < table.size() && out.size() < 1000; ++r) {
    std::string text;
    for (const auto& c : columns)
      if (!table.at(r, c).empty()) text += (text.empty() ? "" : " ") + table.at(r, c);
    if (!text.empty()) out.add_row({text});
  }
  return out;
}

// The rows a finished run in `dir` put in `part` ("train", "valid", "test"), from its split.csv.
std::vector<size_t> rows_of_part(const std::filesystem::path& dir, const std::string& part) {
  const Records split = read_csv_file((dir / "split.csv").string());
  std::vector<size_t> rows;
  for (size_t r = 0; r < split.size(); ++r)
    if (split.at(r, "part") == part) rows.push_back(std::stoul(split.at(r, "row")));
  return rows;
}

// AUROC of out-of-domain scores (higher: more unusual) with the in-domain rows as the positive class.
double in_domain_auroc(const torch::Tensor& in, const torch::Tensor& out) {
  const torch::Tensor labels = torch::cat({torch::ones({in.size(0)}), torch::zeros({out.size(0)})});
  return binary_auroc(-torch::cat({in, out}).to(torch::kFloat), labels);
}

struct OutOfDomainFigures {
  double auroc = 0.0, accepted = 0.0;  // in domain as the positive class; share of in-domain accepted
  std::string components;              // each component's AUROC alone
};

OutOfDomainFigures out_of_domain_figures(const Predictor& model, const Records& in_domain, const Records& other) {
  const OutputsAndFeatures a = model.outputs_and_features(in_domain), b = model.outputs_and_features(other);
  const OutOfDomainScorer& scorer = model.monitor().out_of_domain;
  OutOfDomainFigures f;
  const torch::Tensor in = model.domain_scores(a), out = model.domain_scores(b);
  f.auroc = in_domain_auroc(in, out);
  f.accepted = (in <= scorer.threshold()).to(torch::kDouble).mean().item<double>();
  const torch::Tensor ca = scorer.components(a.features, a.outputs, a.sequences),
                      cb = scorer.components(b.features, b.outputs, b.sequences);
  for (int64_t k = 0; k < ca.size(1); ++k)
    f.components += (k ? ", " : "") + scorer.component_names()[static_cast<size_t>(k)] + " alone " +
                    std::to_string(in_domain_auroc(ca.select(1, k), cb.select(1, k)));
  return f;
}

TEST(TextRealData, SmsSpamCollection) {
  const auto file = sms_file();
  if (file.empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run this test";
  set_num_threads(2);
  auto dir = testing::temp_dir("sms");
  std::ostringstream log;
  RunOptions options = test_support::quiet_run(dir, log);
  options.final_run = true;  // settings fixed in advance; the floors are on the test part
  const auto start = std::chrono::steady_clock::now();
  auto result = train_recipe(test_support::with_test_seed(sms_recipe(file)), options, testing::text_registry());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& test = result.metrics["test"];
  const auto& baseline = result.baselines["text.tfidf_logistic"]["test"];
  std::cout << "SMS spam (deduplicated, stratified 80/20): network test accuracy " << test["accuracy"]
            << ", macro F1 " << test["f1"] << ", MCC " << test["mcc"] << "; TF-IDF baseline test accuracy "
            << baseline["accuracy"]
            << ", macro F1 " << baseline["f1"] << "; " << seconds << " s\n";
  // Floors below the run-to-run spread (bench/spread/run.sh, 2026-12-01), seeds 42, 1, 2, 3: accuracy
  // 0.9932, 0.9913, 0.9894, 0.9932; macro F1 0.985, 0.980, 0.976, 0.984.
  EXPECT_GE(test["accuracy"].get<double>(), 0.98) << log.str();
  EXPECT_GE(test["f1"].get<double>(), 0.96) << log.str();

  // Out of domain (issue 22): the SMS test messages (in domain) against 1,000 Women's Clothing
  // reviews, and against 1,000 MovieLens titles with their genres (short texts: a harder case, and
  // one no setting was chosen on). This refit has no validation part, so the scorer is fitted on four
  // fifths of the training rows and calibrated on the fifth left out.
  const Predictor model = Predictor::load(result.model_file, testing::text_registry());
  const Records sms = testing::text_registry().reader(model.recipe().at("reader"), "reader")->read();
  const std::vector<size_t> test_rows = rows_of_part(dir, "test");
  const std::filesystem::path data = sms_file().parent_path().parent_path().parent_path();
  const Records reviews = first_texts(data / "multimodal/womens-clothing-reviews/Womens Clothing E-Commerce Reviews.csv",
                                      {"Review Text"}, "reviews");
  const Records titles = first_texts(data / "recsys/movielens-latest-small/movies.csv", {"title", "genres"}, "titles");
  const OutOfDomainFigures on_reviews = out_of_domain_figures(model, sms.subset(test_rows), reviews);
  const OutOfDomainFigures on_titles = out_of_domain_figures(model, sms.subset(test_rows), titles);
  std::cout << "SMS out of domain: AUROC against clothing reviews " << on_reviews.auroc << " (target 0.95; "
            << on_reviews.components << "), against MovieLens titles " << on_titles.auroc << " ("
            << on_titles.components << "); test messages accepted " << on_reviews.accepted << "\n";
  // Measured on 2026-12-05 (session 32) with seeds 42, 1, 2, once, with the rule chosen on three
  // validation sources in round 12 (typicality alone decides): against reviews 0.9765 at each seed
  // (the n-gram and the split do not depend on the network's seed), against titles 0.899; test messages
  // accepted 0.937. The rule before it (typicality, z-scores summed) measured 0.888, 0.860, 0.886 and
  // 0.933, 0.960, 0.939, accepting 0.923-0.931 (2026-12-04); the one before that (total likelihood,
  // largest z-score) 0.929, 0.927, 0.928 and 0.742, 0.772, 0.801 (2026-12-02; docs/monitoring.md). The
  // issue's 0.95 is met; the floor sits below it, for other machines' rounding.
  EXPECT_GE(on_reviews.auroc, 0.93);
  EXPECT_GE(on_titles.auroc, 0.85);
  EXPECT_GE(on_reviews.accepted, 0.90);
  EXPECT_LE(on_reviews.accepted, 0.99);
  std::filesystem::remove_all(dir);
}

// Issue 22's out-of-domain rule, chosen on VALIDATION pairs before the test pair above is scored
// again (docs/monitoring.md). The tuning protocol of the header (valid_pct 0.1): the scorer is fitted
// on the training rows and calibrated on the validation part; in domain: the validation messages; out
// of domain: paragraphs of the licence texts every Debian system carries (/usr/share/common-licenses:
// English prose, neither reviews nor titles). Six rounds (seeds 42, 1, 2 each; each candidate and its
// decision written before it ran: adopted only if it beat the rule of the day by more than 0.01 on the
// mean; the AUROCs in docs/monitoring.md):
//   1. the largest robust z-score (the rule then), their sum, the total likelihood alone: kept the largest;
//   2. the largest with each component scaled by its validation tail: not adopted;
//   3. a class-conditional mixture of n-gram models in place of the pooled one: not adopted;
//   4. the cosine distance to the 10th nearest training message in place of Mahalanobis: not adopted;
//   5. a typicality test, (T - mu n) / (sigma sqrt n), in place of the total surprise T: 0.929 against
//      0.925, not adopted (alone 0.938);
//   6. the typicality test with the z-scores summed: 0.941, 0.945, 0.957 (mean 0.948) against 0.928,
//      0.917, 0.930 (0.925): ADOPTED, the scorer's rule since (out_of_domain.h).
//   7. (session 29, written before it ran) one licence text is a narrow validation source: a second
//      out-of-domain source joins it, the package descriptions of the Debian system it runs on
//      (/var/lib/dpkg/status: each installed package's short and long description, whitespace
//      collapsed, by package name, at most 1,000; English prose about software, neither reviews nor
//      titles). Candidates: the rule (typicality, z-scores summed), typicality alone, the largest
//      z-score. Decision: the mean AUROC over both sources and seeds 42, 1, 2; a candidate is adopted
//      only if it beats the rule's mean by more than 0.01 (the highest if several). Result (licences;
//      descriptions): the rule 0.941; 0.982, 0.945; 0.986, 0.957; 0.990 (mean 0.967), typicality alone
//      0.938; 0.994 at every seed (0.966), the largest 0.925; 0.980, 0.919; 0.980, 0.943; 0.989
//      (0.956): not adopted, the rule stays.
//   8. (session 30, written before it ran) outlier exposure: known out-of-domain examples at training
//      time, from which the scorer learns how much each component counts. Candidate: weights for the
//      robust z-scores (and an intercept) by logistic regression (adapt's LogisticRegression, defaults,
//      z-scores not standardised again), in domain the even-numbered validation messages, out of
//      domain one source; scored as the weighted sum on the odd-numbered validation messages against
//      the OTHER source (fit on the licences, score on the descriptions, and the reverse), so no text
//      is both fitted and scored. The rule (z-scores summed) is scored on the same odd messages and
//      the same source. Decision: the mean AUROC over both directions and seeds 42, 1, 2; adopted
//      (as a recipe option naming out-of-domain examples) only if it beats the rule's mean by more
//      than 0.01. Result (descriptions, weights from the licences; licences, weights from the
//      descriptions): weighted 0.991; 0.923, 0.993; 0.949, 0.995; 0.955 (mean 0.968), the rule 0.981;
//      0.940, 0.984; 0.945, 0.989; 0.957 (0.966): not adopted, the rule stays. The weights (mahalanobis,
//      energy, typicality) from the licences 0.68, 0.92, 2.02 at seed 42, from the descriptions -1.10,
//      2.22, 2.96: what one source teaches about the network's components does not carry to the other.
//   9. (session 32, written before it ran) new evidence, as rounds 3-8 concluded: the encoder's
//      per-token states. The classifier's encoder (rebuilt here from adapt_text_objects with the
//      export's weights, eval mode) gives every token of a message a state (the BiLSTM's output, 512
//      numbers). One Gaussian over the training messages' token states (every training message, at
//      most 200,000 tokens; covariance shrunk 10% towards its mean variance, as the scorer's), each
//      token's squared Mahalanobis distance d to it, and a typicality test over a message's n tokens,
//      (sum d - m n) / (s sqrt n), with m and s the mean and deviation of d over the validation
//      messages' tokens (as round 5 for the surprise); its robust z-score by its median and
//      interquartile range on the validation messages. Candidates: A, the rule plus this z-score (four
//      summed); B, the rule with it in place of mahalanobis (the pooled features' distance). Decision:
//      the mean AUROC over both sources and seeds 42, 1, 2; the higher of A and B is adopted (as a
//      component the text models give through a model hook) only if it beats the rule's mean by more
//      than 0.01. The state test alone is printed too, not a candidate. Result (licences;
//      descriptions; 2026-12-05, another VM: the rule reads 0.952; 0.987, 0.954; 0.988, 0.960; 0.989,
//      mean 0.972): A 0.892; 0.954, 0.896; 0.967, 0.916; 0.969 (0.932), B 0.882; 0.973, 0.882; 0.981,
//      0.911; 0.984 (0.935): not adopted, the rule stays. The state test alone 0.50-0.61: a Gaussian
//      over the spam classifier's token states holds nothing that sets these texts apart.
//  10. (session 32, written before it ran) the calibration of a refit. The test pair's model is a
//      refit (no validation part): its scorer is fitted on four fifths of the training rows and
//      calibrated on the fifth left out, rows the network trained on, which makes the network's
//      components look surer than on new text (its energy scale is 0.64 of the tuning run's,
//      docs/monitoring.md). Simulated here on the tuning run's network, whose validation messages
//      it never saw: R0, the scorer as a refit builds it (fit on four fifths of the training rows,
//      every fifth calibrating, build_monitor's rule), z-scores summed; C1, the same fit calibrated on
//      the even-numbered validation messages instead (a refit that keeps a calibration part out of
//      the network's training); C4, R0's typicality z-score alone (a refit that leaves out the
//      components it cannot calibrate on unseen rows). All scored on the odd-numbered validation
//      messages against both sources. Decision: the mean over both sources and seeds 42, 1, 2; the
//      higher of C1 and C4 replaces R0 for refits with token inputs only if it beats R0's mean by
//      more than 0.01; then, and only then, the test pair is scored once more. Result (licences;
//      descriptions; seeds 42, 1, 2): R0 0.945; 0.982, 0.951; 0.985, 0.958; 0.987 (mean 0.968), C1
//      0.952; 0.985, 0.954; 0.986, 0.957; 0.986 (0.970), C4 0.939; 0.993 each time (0.966): not
//      adopted, refits keep R0; the test pair not scored again. Scales at seed 42 (mahalanobis,
//      energy, typicality): R0 98.2, 2.76, 2.17; C1 95.3, 3.55, 1.86.
//  11. (session 32, written before it ran) the input's length as evidence of its own: typicality
//      was built so that length does not decide (round 5), but a text far longer or shorter than the
//      training texts is itself unusual. Disclosed: this candidate comes from knowing that the
//      licence paragraphs, the package descriptions and the reviews are all longer than text
//      messages (what the datasets are, not a score of any pair). Candidate L: the rule plus a
//      two-sided robust z-score of the log token count, |log n - median| / IQR over the validation
//      messages (as the other components are calibrated). Decision: the mean over both sources and
//      seeds 42, 1, 2; adopted (as a "length" component for token inputs) only if it beats the rule's
//      mean by more than 0.01; then, and only then, the test pair is scored once more. Result
//      (licences; descriptions; seeds 42, 1, 2): L 0.951; 0.989, 0.954; 0.989, 0.958; 0.990 (mean
//      0.972), the rule 0.952; 0.987, 0.954; 0.988, 0.960; 0.989 (0.972): not adopted. The length
//      alone 0.806; 0.960: it separates, but what it knows typicality knows already.
//  12. (session 32, written before it ran) the two validation sources no longer tell candidates
//      apart (the rule reads 0.97 on them; rounds 9-11 all fell within 0.01 of it or below), so a third
//      joins them, nearer to text messages: the quotations, jokes and one-liners of Debian's
//      `fortunes` package (/usr/share/games/fortunes; every file but ascii-art, in name order, entries
//      split at "%" lines, whitespace collapsed, every k-th entry for about 1,000, then as the other
//      sources: distinct, 20 characters or more, at most 1,000). Disclosed: chosen because the reviews
//      (customers' informal prose) proved harder than licences and package notes; no score of the
//      fortunes was seen before this was written. Candidates (round 7's): the rule, typicality alone,
//      the largest z-score. Decision: the mean AUROC over the three sources and seeds 42, 1, 2; a
//      candidate is adopted only if it beats the rule's mean by more than 0.01 (the highest if
//      several); then, and only then, the test pair is scored once more. Result (licences;
//      descriptions; fortunes), seeds 42, 1, 2: the rule 0.952; 0.987; 0.808, 0.954; 0.988; 0.826,
//      0.960; 0.989; 0.811 (mean of nine 0.919); typicality alone 0.938; 0.994; 0.875 at each seed
//      (0.936); the largest 0.937; 0.986; 0.789, 0.937; 0.988; 0.793, 0.942; 0.987; 0.799 (0.906).
//      Typicality alone beats the rule by 0.016: ADOPTED, the scorer's rule for token inputs since
//      (out_of_domain.h: the other components are reported, not counted). (Installing fortunes added
//      packages to the system, so the descriptions moved: the rule 0.987 -> 0.9869 at seed 42.)
// The code of rounds 2-4 is in the git history (commit 041dbef). This test prints, for each source,
// the scorer's rule (typicality alone since round 12), the z-scores summed (the rule of rounds 6-11,
// which must reproduce round 6's figures on the licences and which rounds 8-11 are measured against),
// the rule before that (the largest z-score with the total surprise), the largest z-score, and each
// component alone. Run by hand
// with `--gtest_also_run_disabled_tests --gtest_filter=TextRealData.DISABLED_OutOfDomainRuleOnAValidationPair`.

// Appends `line`'s words to `text`, one space apart (whitespace collapsed); whether it had any.
bool append_words(std::string& text, const std::string& line) {
  std::istringstream words(line);
  std::string word;
  bool any = false;
  for (; words >> word; any = true) text += (text.empty() ? "" : " ") + word;
  return any;
}

// The first 1,000 distinct texts of 20 characters or more, in order, as a "text" column.
Records distinct_texts(const std::vector<std::string>& texts, const std::string& source) {
  Records out({"text"}, source);
  std::set<std::string> seen;
  for (const auto& text : texts)
    if (text.size() >= 20 && out.size() < 1000 && seen.insert(text).second) out.add_row({text});
  return out;
}

// The regular files of `folder` that `keep` accepts, in name order.
std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder,
                                            const std::function<bool(const std::filesystem::path&)>& keep) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.is_regular_file() && keep(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Each component's robust z-score [N, K] under a scorer's centres and scales.
torch::Tensor robust_z(const OutOfDomainScorer& scorer, const OutputsAndFeatures& s) {
  const json state = scorer.state();
  torch::Tensor raw = scorer.components(s.features, s.outputs, s.sequences).to(torch::kDouble);
  for (int64_t k = 0; k < raw.size(1); ++k)
    raw.select(1, k).sub_(state["centre"][static_cast<size_t>(k)].get<double>()).div_(state["scale"][static_cast<size_t>(k)].get<double>());
  return raw;
}

// Paragraphs of the licence texts (blank-line separated, whitespace collapsed), files in name order.
Records licence_paragraphs(const std::filesystem::path& licences) {
  std::vector<std::string> paragraphs;
  for (const auto& path : files_in(licences, [](const std::filesystem::path&) { return true; })) {
    std::ifstream in(path);
    std::string line, paragraph;
    while (std::getline(in, line))
      if (!append_words(paragraph, line)) paragraphs.push_back(std::exchange(paragraph, {}));
    paragraphs.push_back(paragraph);
  }
  return distinct_texts(paragraphs, "licences");
}

// Each installed package's description (short and long, whitespace collapsed, the " ." paragraph
// marks dropped), by package name.
Records package_descriptions(const std::filesystem::path& status) {
  std::ifstream in(status);
  std::map<std::string, std::string> by_package;
  std::string line, package, text;
  bool in_description = false;
  const auto flush = [&] {
    if (!package.empty() && text.size() >= 20) by_package.emplace(package, text);
    text.clear();
    in_description = false;
  };
  while (std::getline(in, line)) {
    if (line.rfind("Package: ", 0) == 0) {
      flush();
      package = line.substr(9);
    } else if (line.rfind("Description: ", 0) == 0) {
      in_description = true;
      append_words(text, line.substr(13));
    } else if (in_description && !line.empty() && line[0] == ' ') {
      if (line != " .") append_words(text, line);
    } else {
      in_description = false;
    }
  }
  flush();
  std::vector<std::string> descriptions;
  for (const auto& [name, description] : by_package) descriptions.push_back(description);
  return distinct_texts(descriptions, "package descriptions");
}

// Round 9: the encoder's per-token states, a Gaussian over the training tokens' states, and a
// typicality test over each message's squared Mahalanobis distances.
class StateTypicality {
 public:
  // The classifier's encoder, rebuilt with the export's weights (parameters named "encoder.*").
  explicit StateTypicality(Model& model, const json& options) {
    AwdLstmOptions o;
    o.emb_size = options.at("emb_size").get<int64_t>();
    o.hidden_size = options.at("hidden_size").get<int64_t>();
    o.n_layers = options.at("n_layers").get<int64_t>();
    o.bidirectional = options.at("bidirectional").get<bool>();
    const auto named = model.named_parameters();
    o.vocab_size = named["encoder.embedding.weight"].size(0);
    encoder_ = AwdLstmEncoder(o);
    torch::NoGradGuard no_grad;
    for (auto& p : encoder_->named_parameters()) p.value().copy_(named["encoder." + p.key()]);
    encoder_->eval();
  }
  // Every token's state [tokens, H] (double), rows in order, at most `cap` tokens.
  torch::Tensor states(const TokenSequences& seq, int64_t cap = 200000) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> out;
    int64_t total = 0;
    for (int64_t b = 0; b < seq.ids.size(0) && total < cap; b += 256) {
      const int64_t n = std::min<int64_t>(256, seq.ids.size(0) - b);
      const torch::Tensor lengths = seq.lengths.narrow(0, b, n);
      const torch::Tensor h = encoder_->forward(seq.ids.narrow(0, b, n), lengths);
      for (int64_t i = 0; i < n && total < cap; ++i) {
        const int64_t len = lengths[i].item<int64_t>();
        out.push_back(h[i].narrow(0, 0, len).to(torch::kDouble));
        total += len;
      }
    }
    return torch::cat(out);
  }
  void fit(const TokenSequences& train, double shrinkage = 0.1) {
    const torch::Tensor x = states(train);
    mean_ = x.mean(0);
    const torch::Tensor c = x - mean_;
    torch::Tensor cov = c.t().mm(c) / static_cast<double>(x.size(0) - 1);
    const double average = cov.diagonal().mean().item<double>();
    cov = (1 - shrinkage) * cov + shrinkage * average * torch::eye(cov.size(0), torch::kDouble);
    precision_ = torch::linalg_inv(cov);
  }
  // Per token: its squared distance; per message: the sum over its tokens and their count.
  std::pair<torch::Tensor, torch::Tensor> sums(const TokenSequences& seq, torch::Tensor* per_token = nullptr) {
    const torch::Tensor x = states(seq, std::numeric_limits<int64_t>::max()) - mean_;
    const torch::Tensor d = (x.mm(precision_) * x).sum(1);
    if (per_token) *per_token = d;
    const torch::Tensor n = seq.lengths.to(torch::kDouble);
    const torch::Tensor row = torch::repeat_interleave(torch::arange(seq.lengths.size(0)), seq.lengths);
    return {torch::zeros({seq.lengths.size(0)}, torch::kDouble).index_add_(0, row, d), n};
  }
  // Sets m and s from the validation messages' tokens and the z-score's centre and scale; returns their z.
  torch::Tensor calibrate(const TokenSequences& valid) {
    torch::Tensor d;
    sums(valid, &d);
    m_ = d.mean().item<double>();
    s_ = d.std().item<double>();
    const torch::Tensor t = typicality(valid);
    centre_ = t.quantile(0.5).item<double>();
    scale_ = std::max(t.quantile(0.75).item<double>() - t.quantile(0.25).item<double>(), 1e-12);
    return z(valid);
  }
  torch::Tensor typicality(const TokenSequences& seq) {
    const auto [total, n] = sums(seq);
    return (total - m_ * n) / (s_ * n.clamp_min(1).sqrt());
  }
  torch::Tensor z(const TokenSequences& seq) { return (typicality(seq) - centre_) / scale_; }

 private:
  AwdLstmEncoder encoder_{nullptr};
  torch::Tensor mean_, precision_;
  double m_ = 0, s_ = 1, centre_ = 0, scale_ = 1;
};

// Round 12's third source: entries of the fortune files (every file but ascii-art, name order), every
// k-th for about 1,000.
Records fortune_entries(const std::filesystem::path& folder) {
  const auto plain_text = [](const std::filesystem::path& p) { return !p.has_extension() && p.filename() != "ascii-art"; };
  std::vector<std::string> entries;
  for (const auto& path : files_in(folder, plain_text)) {
    std::ifstream in(path);
    std::string line, text;
    while (std::getline(in, line))
      if (line == "%") entries.push_back(std::exchange(text, {}));
      else append_words(text, line);
    entries.push_back(text);
  }
  const size_t step = std::max<size_t>(1, entries.size() / 1000);
  std::vector<std::string> every_kth;
  for (size_t i = 0; i < entries.size(); i += step) every_kth.push_back(entries[i]);
  return distinct_texts(every_kth, "fortunes");
}

TEST(TextRealData, DISABLED_OutOfDomainRuleOnAValidationPair) {
  const auto file = sms_file();
  if (file.empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run this test";
  const std::filesystem::path licences = "/usr/share/common-licenses", status = "/var/lib/dpkg/status";
  if (!std::filesystem::is_directory(licences) || !std::filesystem::is_regular_file(status))
    GTEST_SKIP() << licences << " or " << status << " is absent";
  set_num_threads(2);
  auto dir = testing::temp_dir("sms-ood-valid");
  std::ostringstream log;
  const RunOptions options = test_support::quiet_run(dir, log);
  json recipe = test_support::with_test_seed(sms_recipe(file));
  recipe["splitter"]["valid_pct"] = 0.1;
  const auto result = train_recipe(recipe, options, testing::text_registry());
  const Predictor model = Predictor::load(result.model_file, testing::text_registry());
  const Records sms = testing::text_registry().reader(model.recipe().at("reader"), "reader")->read();
  const std::vector<size_t> valid_rows = rows_of_part(dir, "valid");

  const OutOfDomainScorer& scorer = model.monitor().out_of_domain;
  const auto z = [&](const OutputsAndFeatures& s) { return robust_z(scorer, s); };
  const auto& names = scorer.component_names();
  const int64_t typicality_at = std::find(names.begin(), names.end(), "typicality") - names.begin();
  ASSERT_LT(typicality_at, static_cast<int64_t>(names.size()));
  // The rule before round 6: the total surprise in place of typicality (the same n-gram, refitted on
  // the training messages), centred and scaled on the validation messages, and the largest z-score.
  const OutputsAndFeatures t = model.outputs_and_features(sms.subset(rows_of_part(dir, "train")));
  const auto totals = [&](const OutputsAndFeatures& s) {
    torch::Tensor sum = torch::zeros({s.outputs.size(0)}, torch::kDouble);
    for (const auto& [key, seq] : t.sequences)
      sum += SequenceLikelihood::fit(seq.ids, seq.lengths).nll(s.sequences.at(key).ids, s.sequences.at(key).lengths);
    return sum;
  };
  const OutputsAndFeatures a = model.outputs_and_features(sms.subset(valid_rows));
  const torch::Tensor za = z(a), ta = totals(a);
  const double centre = ta.quantile(0.5).item<double>(),
               scale = std::max(ta.quantile(0.75).item<double>() - ta.quantile(0.25).item<double>(), 1e-12);
  const auto largest_with_total = [&](const torch::Tensor& zs, const torch::Tensor& total) {
    torch::Tensor all = zs.clone();
    all.select(1, typicality_at).copy_((total - centre) / scale);
    return std::get<0>(all.max(1));
  };
  const auto largest = [](const torch::Tensor& zs) { return std::get<0>(zs.max(1)); };

  // Each out-of-domain source through the network once: its robust z-scores, their sum (the rule of
  // rounds 6-11) and the scorer's rule.
  struct Source {
    std::string name;
    OutputsAndFeatures scored;
    torch::Tensor z, summed, rule;
  };
  std::vector<Source> sources;
  std::vector<Records> others{licence_paragraphs(licences), package_descriptions(status)};
  const std::filesystem::path fortunes = "/usr/share/games/fortunes";
  if (std::filesystem::is_directory(fortunes)) others.push_back(fortune_entries(fortunes));
  else std::cout << "round 12 needs Debian's fortunes package (" << fortunes << " is absent)\n";
  for (const Records& other : others) {
    OutputsAndFeatures b = model.outputs_and_features(other);
    const torch::Tensor zb = z(b), rule = model.domain_scores(b);
    sources.push_back({other.source(), std::move(b), zb, zb.sum(1), rule});
  }
  const torch::Tensor rule_a = model.domain_scores(a), summed_a = za.sum(1);
  for (const Source& source : sources) {
    const torch::Tensor& zb = source.z;
    const torch::Tensor tb = totals(source.scored);
    std::cout << "SMS out of domain, VALIDATION pair (" << za.size(0) << " valid messages, " << zb.size(0) << " "
              << source.name << "): the scorer's rule (typicality alone) " << in_domain_auroc(rule_a, source.rule)
              << ", z-scores summed (the rule of rounds 6-11) " << in_domain_auroc(summed_a, source.summed)
              << ", the rule before it (total surprise, largest z-score) "
              << in_domain_auroc(largest_with_total(za, ta), largest_with_total(zb, tb)) << ", the largest z-score "
              << in_domain_auroc(largest(za), largest(zb)) << ", total surprise alone " << in_domain_auroc(ta, tb);
    for (int64_t k = 0; k < za.size(1); ++k)
      std::cout << ", " << names[static_cast<size_t>(k)] << " alone " << in_domain_auroc(za.select(1, k), zb.select(1, k));
    std::cout << "\n";
  }

  // Round 8: weights fitted on the even validation messages against one source, scored on the odd
  // ones against the other; the rule on the same rows.
  std::vector<int64_t> even, odd;
  for (int64_t i = 0; i < za.size(0); ++i) (i % 2 == 0 ? even : odd).push_back(i);
  const torch::Tensor za_even = za.index_select(0, torch::tensor(even)), za_odd = za.index_select(0, torch::tensor(odd));
  const torch::Tensor rule_odd = summed_a.index_select(0, torch::tensor(odd));
  for (size_t fit_on = 0; fit_on < 2; ++fit_on) {  // licences and descriptions, as round 8 was written
    const Source &fitted = sources[fit_on], &scored = sources[1 - fit_on];
    const torch::Tensor &zf = fitted.z, &zs = scored.z;
    LogisticRegressionOptions o;
    o.standardize = false;
    LogisticRegression weights(o);
    weights.fit(torch::cat({za_even, zf}),
                torch::cat({torch::zeros({za_even.size(0)}, torch::kLong), torch::ones({zf.size(0)}, torch::kLong)}), 2);
    const auto weighted = [&](const torch::Tensor& rows) {
      const torch::Tensor d = weights.decision_function(rows);
      return d.select(1, 1) - d.select(1, 0);
    };
    std::cout << "SMS out of domain, round 8 (outlier exposure): weights fitted on " << za_even.size(0)
              << " even valid messages against " << zf.size(0) << " " << fitted.name << " ("
              << "weights";
    const torch::Tensor w = (weights.weight().select(1, 1) - weights.weight().select(1, 0)).contiguous();
    for (int64_t k = 0; k < w.size(0); ++k) std::cout << " " << names[static_cast<size_t>(k)] << " " << w[k].item<double>();
    std::cout << "), scored on " << za_odd.size(0)
              << " odd valid messages against " << zs.size(0) << " " << scored.name
              << ": weighted " << in_domain_auroc(weighted(za_odd), weighted(zs)) << ", the rule "
              << in_domain_auroc(rule_odd, scored.summed) << "\n";
  }

  // Round 9: the encoder's per-token states (candidates A and B; the decision in the comment above).
  ASSERT_EQ(a.sequences.size(), 1u);
  const std::string key = a.sequences.begin()->first;
  StateTypicality states(*model.model(), model.recipe().at("model"));
  states.fit(t.sequences.at(key));
  const torch::Tensor sa = states.calibrate(a.sequences.at(key));
  const int64_t mahalanobis_at = std::find(names.begin(), names.end(), "mahalanobis") - names.begin();
  ASSERT_LT(mahalanobis_at, static_cast<int64_t>(names.size()));
  const auto candidate_b = [&](const torch::Tensor& zs, const torch::Tensor& state) {
    torch::Tensor all = zs.clone();
    all.select(1, mahalanobis_at).copy_(state);
    return all.sum(1);
  };
  for (const Source& source : sources) {
    const torch::Tensor sb = states.z(source.scored.sequences.at(key));
    std::cout << "SMS out of domain, round 9 (" << source.name << "): A, the rule plus the state test "
              << in_domain_auroc(summed_a + sa, source.summed + sb) << ", B, the state test in place of mahalanobis "
              << in_domain_auroc(candidate_b(za, sa), candidate_b(source.z, sb)) << ", the rule "
              << in_domain_auroc(summed_a, source.summed) << "; the state test alone " << in_domain_auroc(sa, sb) << "\n";
  }

  // Round 10: the refit's calibration, simulated on this network (the decision in the comment above).
  const torch::Tensor odd_index = torch::tensor(odd), even_index = torch::tensor(even);
  const auto rows_of = [](const OutputsAndFeatures& s, const torch::Tensor& index) {
    OutputsAndFeatures out{s.outputs.index_select(0, index), s.features.index_select(0, index), {}};
    for (const auto& [k, seq] : s.sequences)
      out.sequences[k] = TokenSequences{seq.ids.index_select(0, index), seq.lengths.index_select(0, index)};
    return out;
  };
  std::vector<int64_t> fit_rows, calib_rows;  // build_monitor's split of the training rows
  for (int64_t i = 0; i < t.outputs.size(0); ++i) (i % 5 == 4 ? calib_rows : fit_rows).push_back(i);
  const OutputsAndFeatures fit_part = rows_of(t, torch::tensor(fit_rows)), calib_part = rows_of(t, torch::tensor(calib_rows));
  const auto refit_scorer = [&] {
    return OutOfDomainScorer::fit(fit_part.features, fit_part.outputs.argmax(1), fit_part.outputs.size(1), true,
                                  OutOfDomainOptions{}, fit_part.sequences);
  };
  OutOfDomainScorer r0 = refit_scorer(), c1 = refit_scorer();
  r0.calibrate(calib_part.features, calib_part.outputs, calib_part.sequences);
  const OutputsAndFeatures a_even = rows_of(a, even_index), a_odd = rows_of(a, odd_index);
  c1.calibrate(a_even.features, a_even.outputs, a_even.sequences);
  const auto score = [](const OutOfDomainScorer& scorer, const OutputsAndFeatures& s) {  // z-scores summed (the rule then)
    return robust_z(scorer, s).sum(1);
  };
  const auto typicality_z = [&](const OutOfDomainScorer& scorer, const OutputsAndFeatures& s) {
    return robust_z(scorer, s).select(1, typicality_at);
  };
  const json r0_state = r0.state(), c1_state = c1.state();
  std::cout << "SMS out of domain, round 10: R0 calibrated on " << calib_rows.size() << " training rows (scales "
            << r0_state["scale"].dump() << "), C1 on " << a_even.outputs.size(0) << " even valid messages (scales "
            << c1_state["scale"].dump() << ")\n";
  for (const Source& source : sources)
    std::cout << "SMS out of domain, round 10 (" << a_odd.outputs.size(0) << " odd valid messages against " << source.name
              << "): R0 " << in_domain_auroc(score(r0, a_odd), score(r0, source.scored)) << ", C1 "
              << in_domain_auroc(score(c1, a_odd), score(c1, source.scored)) << ", C4 "
              << in_domain_auroc(typicality_z(r0, a_odd), typicality_z(r0, source.scored)) << "\n";

  // Round 11: the log token count, a two-sided robust z-score (the decision in the comment above).
  const torch::Tensor log_n = a.sequences.at(key).lengths.to(torch::kDouble).clamp_min(1).log();
  const double n_centre = log_n.quantile(0.5).item<double>(),
               n_scale = std::max(log_n.quantile(0.75).item<double>() - log_n.quantile(0.25).item<double>(), 1e-12);
  const auto length_z = [&](const OutputsAndFeatures& s) {
    return (s.sequences.at(key).lengths.to(torch::kDouble).clamp_min(1).log() - n_centre).abs() / n_scale;
  };
  for (const Source& source : sources)
    std::cout << "SMS out of domain, round 11 (" << source.name << "): L, the rule plus the length z-score "
              << in_domain_auroc(summed_a + length_z(a), source.summed + length_z(source.scored)) << ", the rule "
              << in_domain_auroc(summed_a, source.summed) << "; the length z-score alone "
              << in_domain_auroc(length_z(a), length_z(source.scored)) << "\n";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace adapt::text
