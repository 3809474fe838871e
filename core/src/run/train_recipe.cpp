// train_recipe: the stages of run/stages.h in order. Every rank trains; only the main rank
// evaluates, interprets, exports and records (the weights are rank 0's).
#include "adapt/run/train_recipe.h"

#include "adapt/run/network_label_issues.h"

#include <cmath>
#include <optional>

#include "adapt/common/atomic_file.h"
#include "adapt/common/error.h"
#include "adapt/model/model_summary.h"
#include "adapt/run/html_report.h"
#include "adapt/run/dry_run.h"

#include "adapt/run/run_lock.h"
#include "adapt/run/sanity.h"
#include "adapt/run/stages.h"

namespace adapt {
namespace {

// A finished run is someone's result: training into its directory again would replace its model and
// record, so that takes --force (or --resume, which continues it).
void claim_finished_run(const std::filesystem::path& dir, const RunOptions& options) {
  const auto record = dir / "run.json";
  if (!std::filesystem::exists(record) || options.resume) return;
  if (!options.overwrite)
    throw Error(dir.string() + " holds a finished run (" + record.string() +
                "); pass --force to replace it, --resume to continue it, or give another --out");
  for (const char* old : {"run.json", "metrics.json", "checkpoint.pt", "report.html"}) std::filesystem::remove(dir / old);
}

// The model's summary with the output shape of one batch of the first validation (else training) rows,
// computed in eval mode without gradients, so neither the weights nor any random state change.
std::string describe_model(Model& model, const RunState& state) {
  const std::vector<size_t>& rows = !state.split.valid.empty() ? state.split.valid : state.split.train;
  const size_t n = std::min(rows.size(), static_cast<size_t>(std::max<int64_t>(1, state.loader.batch_size())));
  DataLoaderOptions options = state.loader;
  options.batch_size(static_cast<int64_t>(std::max<size_t>(n, 1))).shuffle(false).drop_last(false).workers(0);
  DataLoader loader(state.records, std::vector<size_t>(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n)),
                    state.blocks, state.transforms, Split::valid, options);
  loader.start_epoch();
  std::vector<int64_t> shape;
  if (auto batch = loader.next()) {
    torch::NoGradGuard no_grad;
    const bool training = model.is_training();
    model.eval();
    shape = model.forward(*batch).sizes().vec();
    model.train(training);
  }
  return model_summary(model, shape);
}

// report.html from the files the run just wrote; a page that cannot be drawn costs the page, not the run.
void write_report(RunContext& ctx) {
  try {
    ctx.out() << "report " << write_html_report(ctx.dir()).string() << "\n";
  } catch (const Error& e) {
    ctx.out() << "warning: report.html was not written: " << e.what() << "\n";
  }
}

}  // namespace

std::string dry_run(const json& recipe, const RunOptions& options, const Registry& registry) {
  RunOptions checking = options;
  checking.write_files = false;  // no run directory: nothing is written
  checking.progress = false;
  RunContext ctx(checking);
  RunState state = resolve_defaults(recipe, registry, ctx);
  read_and_split(state, registry, ctx);
  setup_blocks(state, registry, ctx);
  torch::manual_seed(state.seed);  // the weights a run would start from
  auto model = build_model(state.recipe, registry, *state.blocks, /*apply_init_from=*/true);
  return describe_model(*model, state);
}

RunResult train_recipe(const json& recipe, const RunOptions& options, const Registry& registry) {
  RunContext ctx(options);
  // Two runs writing one directory would mix their files and checkpoints: the second is refused.
  std::optional<RunDirectoryLock> lock;
  if (!ctx.dir().empty()) {
    lock.emplace(ctx.dir());
    claim_finished_run(ctx.dir(), options);
  }
  RunState state = resolve_defaults(recipe, registry, ctx);
  read_and_split(state, registry, ctx);
  if (state.recipe.value("sanity", false) && state.split.valid.empty())
    throw OptionError("sanity: the sanity runs are judged on the validation part, and this split has none; give the "
                      "splitter a valid part or drop \"sanity\"");
  setup_blocks(state, registry, ctx);
  build_learner(state, registry, ctx);
  fit_phases(state, ctx);
  state.result.learner = state.learner;
  if (!ctx.is_main()) return state.result;
  if (!ctx.dir().empty()) write_text_atomically(ctx.dir() / "model_summary.txt", describe_model(*state.model, state));
  evaluate(state, registry, ctx);
  interpret(state, ctx);
  if (state.recipe.value("sanity", false)) {  // after the real run, against its validation score
    SanityOptions sanity;
    sanity.train_real = false;
    sanity.real_score = state.result.metrics["valid"].value(state.result.primary_metric, NAN);
    sanity.out = &ctx.out();
    ctx.out() << "\n";
    state.result.reports["sanity"] = sanity_check(recipe, registry, sanity);
  }
  // Label issues from the network's own out-of-fold probabilities, when the recipe asks for them.
  if (state.recipe.value("inspect", json::object()).value("label_issues_model", std::string()) == "network")
    state.result.reports["label_issues"] = network_label_issues(state, registry, ctx);
  if (!ctx.dir().empty()) build_monitor(state, ctx);
  export_and_record(state, registry, ctx);
  if (!ctx.dir().empty()) write_report(ctx);
  return state.result;
}

}  // namespace adapt
