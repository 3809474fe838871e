// calibrate: temperature scaling of a single-label classifier, fitted on the validation part, with
// the expected calibration error before and after and the reliability diagram.
#include <fmt/format.h>

#include "adapt/metrics/calibration.h"
#include "adapt/report/plot.h"
#include "adapt/run/stages.h"

namespace adapt {
namespace {

void plot_reliability(const std::filesystem::path& file, const ReliabilityBins& before, const ReliabilityBins& after,
                      double temperature, const std::string& part) {
  LinePlotOptions o;
  o.title = fmt::format("reliability ({}): temperature {:.3f}", part, temperature);
  o.x_label = "confidence";
  o.y_label = "accuracy";
  write_line_plot(file,
                  {{"perfect", {0, 1}, {0, 1}},
                   {fmt::format("raw (ECE {:.4f})", before.ece), before.confidence, before.accuracy},
                   {fmt::format("scaled (ECE {:.4f})", after.ece), after.confidence, after.accuracy}},
                  o);
}

}  // namespace

json calibrate(RunState& state, RunContext& ctx) {
  const Block& target = *state.blocks->target().block;
  if (!state.loaders.valid || target.loss() != "cross_entropy" || target.classes().size() < 2) return nullptr;
  const Predictions& valid = split_predictions(state, Split::valid);
  if (valid.outputs.dim() != 2 || valid.targets.dim() != 1) return nullptr;  // token-level targets
  const double t = fit_temperature(valid.outputs, valid.targets);
  json out = {{"method", "temperature scaling fitted on valid"}, {"temperature", t}, {"bins", 15}};
  ReliabilityBins before, after;
  std::string line = fmt::format("\ncalibration: temperature {:.4f} (fitted on valid); ECE", t);
  auto measure = [&](const char* part, const Predictions& p) {
    before = reliability(p.outputs, p.targets);
    after = reliability(p.outputs / t, p.targets);
    out[part] = {{"ece_before", before.ece}, {"ece_after", after.ece}};
    line += fmt::format(" {} {:.4f} -> {:.4f}", part, before.ece, after.ece);
  };
  measure("valid", valid);
  const char* plotted = "valid";
  if (state.loaders.test) {  // a final run: the test part says whether the fit carries over
    measure("test", split_predictions(state, Split::test));
    plotted = "test";
  }
  ctx.out() << line << "\n";
  if (!ctx.dir().empty()) plot_reliability(ctx.dir() / "reliability.svg", before, after, t, plotted);
  return out;
}

}  // namespace adapt
