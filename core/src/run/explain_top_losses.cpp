// explain_top_losses: why the network predicted what it did for the items it got most wrong, through
// the export itself (what a user of model.adapt would see from `adapt explain`), and each item drawn
// for its modality, for report.html.
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
  const auto started = std::chrono::steady_clock::now();
  try {
    const Predictor predictor = Predictor::load(state.result.model_file, registry);
    json explained = json::array();
    for (const auto& t : top) {
      const auto row = t.at("row").get<size_t>();
      json entry = to_json(explain_row(predictor, *state.records, row));
      for (const char* key : {"row", "origin", "item", "actual", "predicted", "loss"}) entry[key] = t.at(key);
      entry["shown"] = shown(predictor, *state.records, row);
      explained.push_back(std::move(entry));
    }
    write_text_atomically(ctx.dir() / "top_losses_explained.json", explained.dump(2) + "\n");
    ctx.out() << "explained the " << explained.size() << " top losses in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s (top_losses_explained.json)\n";
  } catch (const std::exception& e) {
    ctx.out() << "warning: the top losses could not be explained: " << e.what() << "\n";
  }
}

}  // namespace adapt
