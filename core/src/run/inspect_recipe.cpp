// inspect_recipe: the stages up to setup_blocks, then the audit.
#include "adapt/run/inspect_recipe.h"

#include "adapt/run/network_label_issues.h"

#include <iostream>
#include <sstream>

#include "adapt/run/stages.h"

namespace adapt {
namespace {

// The recipe's first baseline, else core.logistic; empty for a target core.logistic cannot fit.
std::pair<json, std::string> baseline_spec(const json& recipe, const Block& target) {
  const json& baselines = recipe.value("baselines", json::array());
  if (!baselines.empty()) {
    json spec = baselines[0].is_string() ? json{{"name", baselines[0]}} : baselines[0];
    return {spec, spec["name"].get<std::string>()};
  }
  if (target.loss() == "cross_entropy") return {json{{"name", "core.logistic"}}, "core.logistic"};
  return {nullptr, ""};
}

}  // namespace

InspectResult inspect_recipe(const json& recipe, const InspectRunOptions& options, const Registry& registry) {
  std::ostream& out = options.out ? *options.out : std::cout;
  // The stages print progress and the data warnings; the report says all of that and more, so only
  // their first line (what was read and how it was split) is passed on.
  std::ostringstream stage_log;
  RunContext ctx(quiet_run_options(stage_log));
  RunState state = resolve_defaults(recipe, registry, ctx);
  read_and_split(state, registry, ctx);
  // The audit scores no model on the test rows (drift, duplicates, groups only): a sealed part is audited.
  if (!state.sealed_test.empty()) state.split.test = std::move(state.sealed_test), state.sealed_test.clear();
  setup_blocks(state, registry, ctx);
  std::istringstream lines(stage_log.str());
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("warning: ", 0) != 0) out << line << "\n";

  InspectOptions inspect = InspectOptions::from_json(state.recipe.value("inspect", json::object()), state.seed);
  inspect.label_issues = inspect.label_issues && options.label_issues;
  const auto chosen = baseline_spec(state.recipe, *state.blocks->target().block);
  const json spec = chosen.first;
  const std::string& name = chosen.second;
  MakeBaseline make;
  std::string model_name = name;
  if (inspect.label_issues_model == "network") {
    make = [&state, &registry] { return network_baseline(state, registry); };
    model_name = network_baseline(state, registry)->description();
  } else if (!spec.is_null()) {
    make = [&registry, spec] { return registry.baseline(component_options(spec), "baselines[0]"); };
  }
  InspectResult result;
  result.report = inspect_data(inspect_input(*state.records, state.split, *state.blocks), inspect, *state.blocks, make,
                               model_name);
  result.report.sections["data"] = {{"source", state.records->source()}, {"records", state.records->size()},
                                    {"hash", state.data_hash}, {"train", state.split.train.size()},
                                    {"valid", state.split.valid.size()}, {"test", state.split.test.size()}};
  if (!options.out_dir.empty()) write_inspect_files(result.report, options.out_dir);
  result.records = state.records;
  result.split = state.split;
  return result;
}

}  // namespace adapt
