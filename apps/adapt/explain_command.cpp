// `adapt explain`: why an export predicts what it does for each input (explain/explain.h): the
// strongest parts on stdout (or every part as JSON), and with --html a page that shades every part.
#include <adapt/common/atomic_file.h>
#include <adapt/explain/explain.h>
#include <adapt/plugin/plugin_host.h>

#include <fmt/format.h>

#include <iostream>

#include "commands.h"

namespace adapt::cli {

namespace {

void print(const Explanation& e, const std::string& label, size_t top) {
  std::cout << label << ": " << e.prediction.dump(-1, ' ', false, json::error_handler_t::replace) << "\n"
            << fmt::format("  explained: {} = {:.4f}; effect = that score minus the score without the part\n",
                           e.explained, e.score);
  for (const auto& p : e.inputs) std::cout << fmt::format("  whole input {:<24} {:+.4f}\n", p.input, p.effect);
  for (const auto& p : strongest(e.parts, top))
    std::cout << fmt::format("  {:<10} {:<30} {:+.4f}\n", p.input, "\"" + p.part + "\"", p.effect);
  if (e.parts.size() > top) std::cout << "  (" << e.parts.size() - top << " weaker parts not shown; --top N)\n";
}

}  // namespace

int explain(const Global& global, const std::filesystem::path& model_file, const std::vector<std::string>& inputs,
            const std::filesystem::path& html_file, size_t top) {
  Registry& registry = global_registry();
  report_plugin_problems();
  Predictor predictor = Predictor::load(model_file, registry);
  Records records = predictor.read_inputs(inputs);
  std::vector<Explanation> explanations;
  std::vector<std::string> labels;
  json all = json::array();
  for (size_t i = 0; i < records.size(); ++i) {
    explanations.push_back(explain_row(predictor, records, i));
    labels.push_back(record_label(records, inputs, i));
    if (global.json_output) {
      json one = to_json(explanations.back());
      one["input"] = labels.back();
      all.push_back(std::move(one));
    } else {
      print(explanations.back(), labels.back(), top);
    }
  }
  if (!html_file.empty()) {
    write_text_atomically(html_file, explanation_page(explanations, labels));
    if (!global.json_output) std::cout << "explain: page written to " << html_file.string() << "\n";
  }
  if (global.json_output) std::cout << all.dump(2) << "\n";
  return 0;
}

}  // namespace adapt::cli
