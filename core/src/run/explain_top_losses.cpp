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
// The item as its blocks draw it (Block::show: a spectrogram and a player, a text's pieces, ...), and
// what the model learned about it (Block::show_learned: a recommender's nearest items).
std::string shown(const Predictor& predictor, const Records& records, size_t row, const std::vector<size_t>& train_rows) {
  const Sample item = predictor.encode_row(records, row);
  std::string html;
  for (const auto& bound : predictor.blocks()->inputs()) {
    html += "<h4>" + xml_escape(bound.key) + "</h4>" + bound.block->show(records, row, owned_keys(item, bound.key));
    html += bound.block->show_learned(records, row, bound.key, *predictor.model(), train_rows);
  }
  return html;
}
}  // namespace

void explain_top_losses(RunState& state, const Registry& registry, RunContext& ctx) {
  const json top = state.interpretation.value("top_losses", json::array());
  if (ctx.dir().empty() || !top.is_array() || top.empty()) return;
  // Occlusion costs a forward pass per part (a 1,000-residue protein: 1,000). The items are explained
  // in order until 2% of the training compute is spent, counted in item forward passes (a trained item
  // costs about three: forward and backward), at least 1,000 parts. A count, not a clock, so that a
  // rerun writes the same report (demos are checked byte for byte).
  int64_t epochs = 0;
  for (const auto& phase : state.plan.phases) epochs += phase.epochs;
  const double budget = std::max(1000.0, 0.02 * 3.0 * static_cast<double>(state.split.train.size()) * static_cast<double>(epochs));
  const auto started = std::chrono::steady_clock::now();
  try {
    const Predictor predictor = Predictor::load(state.result.model_file, registry);
    json explained = json::array();
    double parts = 0;
    for (const auto& t : top) {
      if (parts >= budget) break;
      const auto row = t.at("row").get<size_t>();
      const Explanation explanation = explain_row(predictor, *state.records, row);
      parts += static_cast<double>(explanation.parts.size());
      json entry = to_json(explanation);
      for (const char* key : {"row", "origin", "item", "actual", "predicted", "loss"}) entry[key] = t.at(key);
      entry["shown"] = shown(predictor, *state.records, row, state.split.train);
      explained.push_back(std::move(entry));
    }
    write_text_atomically(ctx.dir() / "top_losses_explained.json", explained.dump(2) + "\n");
    ctx.out() << "explained " << explained.size() << " of the " << top.size() << " top losses in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s (top_losses_explained.json"
              << (explained.size() < top.size() ? "; the rest would exceed the report's budget" : "") << ")\n";
  } catch (const std::exception& e) {
    ctx.out() << "warning: the top losses could not be explained: " << e.what() << "\n";
  }
}

}  // namespace adapt
