// The conformance kit on the core's own components (plugin "core"), from core.demo.
#include "first_party.h"

namespace conformance_test {
namespace {

adapt::Records labels(const std::vector<std::pair<std::string, std::string>>& rows) {
  adapt::Records records({"tags", "x"}, "hand-made");
  for (size_t i = 0; i < rows.size(); ++i) records.add_row({rows[i].first, rows[i].second}, "row " + std::to_string(i));
  return records;
}

adapt::testing::Conformance core() {
  auto c = first_party("core");
  c.demo_options["core.demo"] = {{"rows", 200}};
  c.recipes = {
      with_model("ensemble", {{"name", "core.ensemble"}, {"members", 2}, {"model", {{"name", "core.mlp"}, {"layers", {8}}}}}),
      with_transforms("gaussian noise", json::array({{{"name", "core.gaussian_noise"}, {"p", 1.0}}})),
  };
  // Multi-label targets: no demo has one. "c" appears only outside the training rows.
  c.blocks = {{{{"name", "core.multi_category"}, {"column", "tags"}, {"unseen", "ignore"}},
               labels({{"a;b", "1"}, {"b", "2"}, {"a", "3"}, {"", "4"}}),
               labels({{"a;c", "5"}, {"c", "6"}})}};
  return c;
}

}  // namespace

ADAPT_CONFORMANCE_SUITE(CoreConformance, core())

}  // namespace conformance_test
