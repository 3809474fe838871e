// register_core_training: the core's losses, metrics and baselines (see core_components.h).
#include "adapt/baseline/core_baselines.h"
#include "adapt/metrics/metrics.h"
#include "adapt/model/losses.h"
#include "components/core_components.h"

namespace adapt {
namespace {

OptionSpec ignore_index_spec() {
  return OptionSpec("ignore_index", OptionType::integer, -100, "target value to skip (padding in sequences)");
}

void add_prf(Registry& registry, const std::string& name, PrfKind kind, const std::string& help) {
  registry.add_metric(
      name, help,
      {OptionSpec("average", OptionType::string, "macro",
                  "how classes combine: macro (mean over classes), weighted (by support), micro (pooled), binary "
                  "(pos_label only)")
           .choices({"macro", "weighted", "micro", "binary"}),
       OptionSpec("pos_label", OptionType::integer, 1, "the positive class index for average=binary").min(0),
       ignore_index_spec()},
      [kind](const Options& o) {
        return std::make_shared<PrecisionRecallF1>(kind, parse_average(o.string("average")), o.integer("pos_label"),
                                                   o.integer("ignore_index"));
      });
}

}  // namespace

void register_core_training(Registry& registry) {
  // Losses.
  registry.add_loss("core.cross_entropy", "cross-entropy on logits: classes, soft labels, or sequences",
                    {OptionSpec("label_smoothing", OptionType::number, 0.0, "mix eps of a uniform target in")
                         .min(0)
                         .max(0.999),
                     ignore_index_spec()},
                    [](const Options& o) {
                      CrossEntropyLossOptions opt;
                      opt.label_smoothing = o.number("label_smoothing");
                      opt.ignore_index = o.integer("ignore_index");
                      return std::make_shared<CrossEntropyLoss>(opt);
                    });
  registry.add_loss("core.bce_with_logits", "binary cross-entropy on logits (multi-label)", {},
                    [](const Options&) { return std::make_shared<BCEWithLogitsLoss>(); });
  registry.add_loss("core.mse", "mean squared error (regression)", {},
                    [](const Options&) { return std::make_shared<MSELoss>(); });

  // Metrics.
  registry.add_metric("core.accuracy", "fraction of items (tokens, labels) predicted right", {ignore_index_spec()},
                      [](const Options& o) { return std::make_shared<Accuracy>(o.integer("ignore_index")); });
  registry.add_metric("core.error_rate", "1 - accuracy", {ignore_index_spec()},
                      [](const Options& o) { return std::make_shared<ErrorRate>(o.integer("ignore_index")); });
  registry.add_metric("core.balanced_accuracy", "mean recall over the classes present", {ignore_index_spec()},
                      [](const Options& o) { return std::make_shared<BalancedAccuracy>(o.integer("ignore_index")); });
  add_prf(registry, "core.precision", PrfKind::precision, "precision: of the items predicted as a class, how many are");
  add_prf(registry, "core.recall", PrfKind::recall, "recall: of the items of a class, how many were found");
  add_prf(registry, "core.f1", PrfKind::f1, "F1: harmonic mean of precision and recall");
  registry.add_metric("core.mcc", "Matthews correlation coefficient (multi-class form)", {ignore_index_spec()},
                      [](const Options& o) { return std::make_shared<MatthewsCorrCoef>(o.integer("ignore_index")); });
  registry.add_metric("core.auroc", "area under the ROC curve (one-vs-rest macro for several classes)",
                      {ignore_index_spec()},
                      [](const Options& o) { return std::make_shared<AUROC>(o.integer("ignore_index")); });
  registry.add_metric("core.rmse", "root mean squared error", {}, [](const Options&) { return std::make_shared<RMSE>(); });
  registry.add_metric("core.mae", "mean absolute error", {}, [](const Options&) { return std::make_shared<MAE>(); });
  registry.add_metric("core.r2", "coefficient of determination", {}, [](const Options&) { return std::make_shared<R2>(); });
  registry.add_metric("core.perplexity", "exp of the mean token cross-entropy (language models)", {ignore_index_spec()},
                      [](const Options& o) { return std::make_shared<Perplexity>(o.integer("ignore_index")); });

  // Baselines.
  registry.add_baseline("core.constant", "the training prior (classes) or mean (regression), ignoring the inputs", {},
                        [](const Options&) { return std::make_shared<ConstantBaseline>(); });
  registry.add_baseline("core.logistic", "multinomial logistic regression on the flattened float inputs",
                        {OptionSpec("l2", OptionType::number, 1e-3, "L2 penalty on the weights (mean loss scale)").min(0),
                         OptionSpec("max_iter", OptionType::integer, 200, "L-BFGS iterations").min(1)},
                        [](const Options& o) {
                          LogisticRegressionOptions opt;
                          opt.l2 = o.number("l2");
                          opt.max_iter = o.integer("max_iter");
                          return std::make_shared<LogisticBaseline>(opt);
                        });
  registry.add_baseline("core.linear", "ridge linear regression on the flattened float inputs",
                        {OptionSpec("alpha", OptionType::number, 1.0, "L2 penalty (sum-of-squares scale)").min(0)},
                        [](const Options& o) {
                          RidgeRegressionOptions opt;
                          opt.alpha = o.number("alpha");
                          return std::make_shared<LinearBaseline>(opt);
                        });
}

}  // namespace adapt
