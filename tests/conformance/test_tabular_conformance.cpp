// The conformance kit on the tabular plugin: its demo (200 rows) and every augmentation.
#include "first_party.h"

namespace conformance_test {
namespace {

adapt::testing::Conformance tabular() {
  auto c = first_party("tabular");
  c.demo_options["tabular.demo"] = {{"rows", 200}, {"test_rows", 20}, {"epochs", 1}};
  c.recipes = {with_transforms("every augmentation", json::array({{{"name", "tabular.gaussian_noise"}},
                                                                  {{"name", "tabular.swap_noise"}},
                                                                  {{"name", "tabular.mixup"}}}))};
  return c;
}

}  // namespace

ADAPT_CONFORMANCE_SUITE(TabularConformance, tabular())

}  // namespace conformance_test
