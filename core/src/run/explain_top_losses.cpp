// explain_top_losses: why the network predicted what it did for the items it got most wrong, through
// the export itself (what a user of model.adapt would see from `adapt explain`), and each item drawn
// for its modality, for report.html.
#include <algorithm>
#include <chrono>

#include "adapt/common/atomic_file.h"
#include "adapt/explain/explain.h"
#include "adapt/report/plot.h"
#include "adapt/run/stages.h"

namespace adapt {

namespace {
// The item as its blocks draw it (Block::show: a spectrogram and a player, a text's pieces, ...).
std::string shown(const Predictor& predictor, const Records& records, size_t row) {
  const Sample item = predictor.encode_row(records, row);
  std::string html;
  for (const auto& bound : predictor.blocks()->inputs())
    html += "<h4>" + xml_escape(bound.key) + "</h4>" + bound.block->show(records, row, owned_keys(item, bound.key));
  return html;
}
}  // namespace

void explain_top_losses(RunState& state, const Registry& registry, RunContext& ctx) {
  const json top = state.interpretation.value("top_losses", json::array());
  if (ctx.dir().empty() || !top.is_array() || top.empty()) return;
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  // Occlusion costs a forward pass per part (a 1,000-residue protein: 1,000): the items are explained
  // in order until this budget (2 s, or 2% of the run so far) is spent, so the report never costs
  // a run more than that.
  const double budget = std::max(2.0, 0.02 * seconds_since(state.started));
  const auto started = Clock::now();
  try {
    const Predictor predictor = Predictor::load(state.result.model_file, registry);
    json explained = json::array();
    for (const auto& t : top) {
      if (seconds_since(started) > budget) break;
      const auto row = t.at("row").get<size_t>();
      json entry = to_json(explain_row(predictor, *state.records, row));
      for (const char* key : {"row", "origin", "item", "actual", "predicted", "loss"}) entry[key] = t.at(key);
      entry["shown"] = shown(predictor, *state.records, row);
      explained.push_back(std::move(entry));
    }
    write_text_atomically(ctx.dir() / "top_losses_explained.json", explained.dump(2) + "\n");
    ctx.out() << "explained " << explained.size() << " of the " << top.size() << " top losses in "
              << seconds_since(started) << " s (top_losses_explained.json"
              << (explained.size() < top.size() ? "; the rest would exceed the report's time budget" : "") << ")\n";
  } catch (const std::exception& e) {
    ctx.out() << "warning: the top losses could not be explained: " << e.what() << "\n";
  }
}

}  // namespace adapt
