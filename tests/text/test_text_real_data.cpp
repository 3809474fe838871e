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
#include <map>
#include <set>
#include <sstream>

#include "adapt/common/threads.h"
#include "adapt/data/csv.h"
#include "adapt/export/export.h"
#include "adapt/metrics/metrics.h"
#include "adapt/monitor/sequence_likelihood.h"
#include "adapt/run/train_recipe.h"
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
  // Measured on 2026-12-02 with seeds 42, 1, 2: against reviews 0.929, 0.927, 0.928 (likelihood alone
  // 0.949), against titles 0.742, 0.772, 0.801; test messages accepted 0.949, 0.957, 0.948 (see
  // docs/monitoring.md). The 0.95 is not met; the floors sit below the spread.
  EXPECT_GE(on_reviews.auroc, 0.88);
  EXPECT_GE(on_reviews.accepted, 0.90);
  EXPECT_LE(on_reviews.accepted, 0.99);
  std::filesystem::remove_all(dir);
}

// Issue 22's out-of-domain rule, chosen on a VALIDATION pair before the test pair above is scored
// again (docs/monitoring.md). The tuning protocol of the header (valid_pct 0.1): the scorer is fitted
// on the training rows and calibrated on the validation part; in domain: the validation messages; out
// of domain: paragraphs of the licence texts every Debian system carries (/usr/share/common-licenses:
// English prose, neither reviews nor titles). Candidates, fixed before this ran: the largest robust
// z-score (the rule today), their sum, and the token likelihood alone. Decision, fixed before this
// ran: the rule today stays unless another beats it here by more than 0.01. A second round
// (2026-12-04, before the test pair was scored again): the largest z-score where each component is
// scaled by its validation tail (the 0.95 quantile less the median) instead of its interquartile
// range, so that each component raises about as many false alarms at the threshold; the same
// decision rule, on the mean over the seeds 42, 1, 2. Run by hand with
// `--gtest_also_run_disabled_tests --gtest_filter=TextRealData.DISABLED_OutOfDomainRuleOnAValidationPair`.
TEST(TextRealData, DISABLED_OutOfDomainRuleOnAValidationPair) {
  const auto file = sms_file();
  if (file.empty()) GTEST_SKIP() << "set ADAPT_DATA_DIR to the shared data folder to run this test";
  const std::filesystem::path licences = "/usr/share/common-licenses";
  if (!std::filesystem::is_directory(licences)) GTEST_SKIP() << licences << " is absent";
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

  // Paragraphs (blank-line separated, whitespace collapsed, duplicates once), files in name order.
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(licences))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  Records other({"text"}, "licences");
  std::set<std::string> seen;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line, paragraph;
    const auto flush = [&] {
      if (paragraph.size() >= 20 && other.size() < 1000 && seen.insert(paragraph).second) other.add_row({paragraph});
      paragraph.clear();
    };
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string word;
      bool any = false;
      while (words >> word) {
        paragraph += (paragraph.empty() ? "" : " ") + word;
        any = true;
      }
      if (!any) flush();
    }
    flush();
  }

  const OutputsAndFeatures a = model.outputs_and_features(sms.subset(valid_rows)), b = model.outputs_and_features(other);
  const OutOfDomainScorer& scorer = model.monitor().out_of_domain;
  const json state = scorer.state();
  const auto z = [&](const OutputsAndFeatures& s) {
    torch::Tensor raw = scorer.components(s.features, s.outputs, s.sequences).to(torch::kDouble);
    for (int64_t k = 0; k < raw.size(1); ++k)
      raw.select(1, k).sub_(state["centre"][static_cast<size_t>(k)].get<double>()).div_(state["scale"][static_cast<size_t>(k)].get<double>());
    return raw;
  };
  const torch::Tensor za = z(a), zb = z(b);
  std::cout << "SMS out of domain, VALIDATION pair (" << za.size(0) << " valid messages, " << zb.size(0)
            << " licence paragraphs): max " << in_domain_auroc(model.domain_scores(a), model.domain_scores(b))
            << ", sum " << in_domain_auroc(za.sum(1), zb.sum(1));
  // The second round's candidate: centred on the validation median, scaled by its 0.95 quantile's
  // distance from the median.
  const torch::Tensor ra = scorer.components(a.features, a.outputs, a.sequences).to(torch::kDouble),
                      rb = scorer.components(b.features, b.outputs, b.sequences).to(torch::kDouble);
  const torch::Tensor median = ra.quantile(0.5, 0, true), tail = (ra.quantile(0.95, 0, true) - median).clamp_min(1e-12);
  std::cout << ", tail-scaled max " << in_domain_auroc(std::get<0>(((ra - median) / tail).max(1)), std::get<0>(((rb - median) / tail).max(1)));
  // The third round's candidate (2026-12-04, session 26, written before it ran): the likelihood as a
  // mixture of one n-gram model per class, each fitted on the training messages of its class and
  // weighted by the class's share, -log sum_c share_c exp(-nll_c): what a ham or a spam message looks
  // like, instead of all messages pooled. It replaces the pooled likelihood in the largest robust
  // z-score (centred and scaled by its median and IQR on the validation messages, as the scorer does);
  // adopted only if that beats the rule today by more than 0.01 on the mean over seeds 42, 1, 2.
  // Result: 0.929, 0.919, 0.931 against 0.928, 0.917, 0.930: not adopted (docs/monitoring.md).
  const Records train = sms.subset(rows_of_part(dir, "train"));
  const OutputsAndFeatures t = model.outputs_and_features(train);
  std::map<std::string, std::vector<int64_t>> by_class;  // label -> training rows
  for (size_t r = 0; r < train.size(); ++r) by_class[train.at(r, "label")].push_back(static_cast<int64_t>(r));
  std::map<std::string, std::vector<std::pair<double, SequenceLikelihood>>> per_class;  // by token input
  for (const auto& [key, seq] : t.sequences)
    for (const auto& [label, rows] : by_class) {
      const torch::Tensor index = torch::tensor(rows, torch::kLong);
      per_class[key].emplace_back(std::log(static_cast<double>(rows.size()) / static_cast<double>(train.size())),
                                  SequenceLikelihood::fit(seq.ids.index_select(0, index), seq.lengths.index_select(0, index)));
    }
  const auto mixture_nll = [&](const OutputsAndFeatures& s) {
    torch::Tensor total = torch::zeros({s.outputs.size(0)}, torch::kDouble);
    for (const auto& [key, models] : per_class) {
      const TokenSequences& in = s.sequences.at(key);
      std::vector<torch::Tensor> terms;
      for (const auto& [log_share, lm] : models) terms.push_back(log_share - lm.nll(in.ids, in.lengths));
      total -= torch::logsumexp(torch::stack(terms, 1), 1);
    }
    return total;
  };
  // The pair's AUROC of the largest robust z-score with the component `name` replaced by a
  // candidate's raw scores (`in` on the validation messages, `out` on the licences), centred and
  // scaled by its median and IQR on the validation messages, as the scorer does.
  const auto& names = scorer.component_names();
  const auto auroc_in_place_of = [&](const std::string& name, const torch::Tensor& in, const torch::Tensor& out) {
    const int64_t k = std::find(names.begin(), names.end(), name) - names.begin();
    const double centre = in.quantile(0.5).item<double>(),
                 scale = std::max(in.quantile(0.75).item<double>() - in.quantile(0.25).item<double>(), 1e-12);
    const auto max_with = [&](const torch::Tensor& z, const torch::Tensor& raw) {
      torch::Tensor all = z.clone();
      all.select(1, k).copy_((raw - centre) / scale);
      return std::get<0>(all.max(1));
    };
    return in_domain_auroc(max_with(za, in), max_with(zb, out));
  };
  const torch::Tensor ma = mixture_nll(a), mb = mixture_nll(b);
  std::cout << ", class-conditional likelihood in the max " << auroc_in_place_of("likelihood", ma, mb)
            << ", class-conditional likelihood alone " << in_domain_auroc(ma, mb);
  // The fourth round's candidate (2026-12-04, session 27, written and committed before it ran):
  // a non-parametric density on the same pooled features, the cosine distance to the 10th nearest
  // training message (features L2-normalised, every training message in the bank; Sun et al. 2022),
  // in place of the Mahalanobis distance in the largest robust z-score (centred and scaled by its
  // median and IQR on the validation messages, as the scorer does). Class-conditional Gaussians
  // with one covariance may fit features that are not Gaussian badly; nearest neighbours assume no
  // shape. k = 10 is fixed here, not tuned. Adopted only if it beats the rule today by more than
  // 0.01 on the mean over seeds 42, 1, 2. Result: 0.916, 0.914, 0.926 against 0.928, 0.917, 0.930:
  // not adopted (docs/monitoring.md).
  const torch::Tensor bank = torch::nn::functional::normalize(t.features.to(torch::kFloat),
                                                              torch::nn::functional::NormalizeFuncOptions().dim(1));
  const auto knn_distance = [&](const OutputsAndFeatures& s) {
    const torch::Tensor q = torch::nn::functional::normalize(s.features.to(torch::kFloat),
                                                             torch::nn::functional::NormalizeFuncOptions().dim(1));
    const torch::Tensor distance = 1.0 - q.mm(bank.t());  // cosine distance to every training message
    return std::get<0>(distance.topk(10, 1, /*largest=*/false)).select(1, 9).to(torch::kDouble);
  };
  const torch::Tensor ka = knn_distance(a), kb = knn_distance(b);
  std::cout << ", 10-NN distance in the max " << auroc_in_place_of("mahalanobis", ka, kb)
            << ", 10-NN distance alone " << in_domain_auroc(ka, kb);
  // The fifth round's candidate (2026-12-04, session 28, written and committed before it ran): a
  // typicality test on the token likelihood (Nalisnick et al. 2019) in place of its total. The total
  // surprise T of n tokens grows with n whatever the text, so a long message of familiar words can
  // outscore a short paragraph of unfamiliar ones; the candidate asks instead how far T lies from what
  // n typical tokens give: (T - mu n) / (sigma sqrt n), with mu and sigma the mean and standard
  // deviation of the per-token surprise over the validation messages' tokens (in-domain rows the
  // n-gram did not count, as the scorer's calibration uses); an input without tokens scores 0. The
  // n-gram is the scorer's own, refitted here the same way on the training messages (checked: its
  // totals equal the scorer's likelihood component). Adopted only if it beats the rule today by more
  // than 0.01 on the mean over seeds 42, 1, 2. Result: 0.925, 0.919, 0.943 (mean 0.929) against 0.928,
  // 0.917, 0.930 (0.925): not adopted; alone 0.938 against the total's 0.907 (docs/monitoring.md).
  std::map<std::string, SequenceLikelihood> ngrams;
  for (const auto& [key, seq] : t.sequences) ngrams.emplace(key, SequenceLikelihood::fit(seq.ids, seq.lengths));
  const auto per_token_surprise = [&](const OutputsAndFeatures& s) {  // per row: its tokens' -log p
    std::vector<std::vector<double>> rows(static_cast<size_t>(s.outputs.size(0)));
    for (const auto& [key, lm] : ngrams) {
      const TokenSequences& in = s.sequences.at(key);
      const torch::Tensor ids = in.ids.contiguous(), lengths = in.lengths.to(torch::kLong);
      for (int64_t r = 0; r < ids.size(0); ++r) {
        const int64_t* row = ids.data_ptr<int64_t>() + r * ids.size(1);
        const int64_t n = std::min(lengths[r].item<int64_t>(), ids.size(1));
        for (int64_t i = 0; i < n; ++i)
          rows[static_cast<size_t>(r)].push_back(-std::log(lm.probability(std::vector<int64_t>(row, row + i), row[i])));
      }
    }
    return rows;
  };
  const auto sa = per_token_surprise(a), sb = per_token_surprise(b);
  double sum = 0.0, sum_sq = 0.0, count = 0.0;
  for (const auto& row : sa)
    for (const double v : row) sum += v, sum_sq += v * v, count += 1.0;
  const double mu = sum / count, sigma = std::sqrt(std::max(sum_sq / count - mu * mu, 1e-12));
  const auto typicality = [&](const std::vector<std::vector<double>>& rows) {
    torch::Tensor out = torch::zeros({static_cast<int64_t>(rows.size())}, torch::kDouble);
    for (size_t r = 0; r < rows.size(); ++r) {
      double total = 0.0;
      for (const double v : rows[r]) total += v;
      const auto n = static_cast<double>(rows[r].size());
      if (n > 0) out[static_cast<int64_t>(r)] = (total - mu * n) / (sigma * std::sqrt(n));
    }
    return out;
  };
  const auto totals = [](const std::vector<std::vector<double>>& rows) {
    torch::Tensor out = torch::zeros({static_cast<int64_t>(rows.size())}, torch::kDouble);
    for (size_t r = 0; r < rows.size(); ++r)
      for (const double v : rows[r]) out[static_cast<int64_t>(r)] += v;
    return out;
  };
  const int64_t likelihood_at = std::find(names.begin(), names.end(), "likelihood") - names.begin();
  const double refit_gap = (totals(sa) - scorer.components(a.features, a.outputs, a.sequences).to(torch::kDouble)
                                             .select(1, likelihood_at)).abs().max().item<double>();
  const torch::Tensor ta = typicality(sa), tb = typicality(sb);
  std::cout << ", typicality in the max " << auroc_in_place_of("likelihood", ta, tb) << ", typicality alone "
            << in_domain_auroc(ta, tb) << " (per-token surprise mean " << mu << ", sd " << sigma
            << "; refitted n-gram's totals differ from the scorer's by at most " << refit_gap << ")";
  // The sixth round's candidate (2026-12-04, session 28, written and committed before it ran, after
  // the fifth's result): the typicality z-score is already centred and scaled like a z-score, so the
  // components are combined by their sum (Stouffer's way: each adds its evidence) instead of their
  // largest (Bonferroni's: the loudest alone decides). The robust z-scores with typicality in place of
  // the total likelihood, summed. Adopted only if it beats the rule today by more than 0.01 on the
  // mean over seeds 42, 1, 2.
  const auto summed_with = [&](const torch::Tensor& z, const torch::Tensor& raw, const torch::Tensor& in) {
    const double centre = in.quantile(0.5).item<double>(),
                 scale = std::max(in.quantile(0.75).item<double>() - in.quantile(0.25).item<double>(), 1e-12);
    torch::Tensor all = z.clone();
    all.select(1, likelihood_at).copy_((raw - centre) / scale);
    return all.sum(1);
  };
  std::cout << ", typicality in the sum " << in_domain_auroc(summed_with(za, ta, ta), summed_with(zb, tb, ta));
  for (int64_t k = 0; k < za.size(1); ++k)
    std::cout << ", " << scorer.component_names()[static_cast<size_t>(k)] << " alone "
              << in_domain_auroc(za.select(1, k), zb.select(1, k));
  std::cout << "\n";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace adapt::text
