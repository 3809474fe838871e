#include "adapt/run/show_batch.h"

#include <fmt/format.h>

#include <sstream>

#include "adapt/report/plot.h"
#include "adapt/run/stages.h"

namespace adapt {

namespace {

// Item `i` of the batch keys the input bound to `key` owns, relative to it (as encode() gave them),
// padding cut back to the item's length where the batch has "<key>.lengths".
TensorDict uncollated(const Batch& batch, const std::string& key, int64_t i) {
  const TensorDict owned = owned_keys(batch, key);
  const auto lengths = owned.find("lengths");
  const auto main = owned.find("");
  const int64_t padded = main != owned.end() && main->second.dim() >= 2 ? main->second.size(1) : -1;
  TensorDict item;
  for (const auto& [relative, t] : owned) {
    if (is_auxiliary_key(relative) || t.dim() == 0 || t.size(0) <= i) continue;
    torch::Tensor value = t[i];
    if (lengths != owned.end() && value.dim() >= 1 && value.size(0) == padded)
      value = value.narrow(0, 0, lengths->second[i].item<int64_t>());
    item[relative] = value;
  }
  return item;
}

std::string transform_names(const json& recipe) {
  std::string names;
  for (const auto& t : recipe.value("transforms", json::array()))
    names += (names.empty() ? "" : ", ") + t.value("name", std::string("?"));
  return names.empty() ? "none" : names;
}

}  // namespace

std::string show_batch_page(const json& recipe, const Registry& registry, const ShowBatchOptions& options) {
  if (options.items < 1) throw OptionError("show-batch: items must be >= 1, got " + std::to_string(options.items));
  std::ostringstream log;
  RunContext ctx(quiet_run_options(log));
  RunState state = resolve_defaults(recipe, registry, ctx);
  read_and_split(state, registry, ctx);
  setup_blocks(state, registry, ctx);

  DataLoaderOptions loader = state.train_loader;
  loader.batch_size(std::min<int64_t>(options.items, static_cast<int64_t>(state.split.train.size())));
  loader.workers(0);
  loader.drop_last(false);
  DataLoader train(state.records, state.split.train, state.blocks, state.transforms, Split::train, loader);
  train.set_epoch(options.epoch);
  const std::optional<Batch> batch = train.next();
  if (!batch) throw DataError("show-batch: the training split of " + state.records->source() + " has no rows");

  const Records& records = *state.records;
  const Block& target = *state.blocks->target().block;
  std::string html = fmt::format(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>adapt show-batch</title><style>"
      "body{{font-family:sans-serif;margin:2em}}.item{{border-top:1px solid #ccc;padding:.6em 0}}"
      "table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:2px 6px;font-size:90%}}"
      "</style></head><body><h1>adapt show-batch</h1><p>{} training items as the model receives them: the "
      "recipe's training loader (random crops and encodings on train), transforms: {}. Data: {}.</p>",
      batch->at("row").size(0), xml_escape(transform_names(state.recipe)), xml_escape(records.source()));
  const torch::Tensor rows = batch->at("row");
  for (int64_t i = 0; i < rows.size(0); ++i) {
    const auto row = static_cast<size_t>(rows[i].item<int64_t>());
    std::string label;
    for (const auto& column : target.columns())
      label += (label.empty() ? "" : ", ") + column + " = " + records.at(row, column);
    html += "<div class=\"item\"><h3>" + xml_escape(records.origin(row)) + "</h3><p>target: " + xml_escape(label) +
            "</p>";
    for (const auto& bound : state.blocks->inputs())
      html += "<h4>" + xml_escape(bound.key) + "</h4>" + bound.block->show(records, row, uncollated(*batch, bound.key, i));
    html += "</div>";
  }
  return html + "</body></html>\n";
}

}  // namespace adapt
