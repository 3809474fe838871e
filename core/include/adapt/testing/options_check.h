#pragma once
// check_options: what `adapt plugins info` and recipe validation rely on, for every component a
// plugin registered: the name "<plugin>.<component>", one line of help, and for every option a name
// the registry does not strip, one line of help, and a default that passes its own spec (type, bounds, choices) or
// required(); a component without required options validates with nothing but its name given.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapt/plugin/registry.h"

namespace adapt::testing {

namespace detail {

inline std::string component_label(const ComponentInfo& info) {
  return std::string(to_string(info.kind)) + " " + info.name;
}

inline bool one_line(const std::string& text) {
  return !text.empty() && text.find('\n') == std::string::npos;
}

// Keys the registry strips before validation (docs/recipes.md): an option of that name is unreachable.
// ("name" itself, and an option declared twice, the registry refuses at registration.)
inline std::vector<std::string> reserved_option_names(Kind kind) {
  if (kind == Kind::block) return {"key", "state_from"};
  if (kind == Kind::model) return {"init_from"};
  return {};
}

inline void check_option_spec(const ComponentInfo& info, const OptionSpec& spec) {
  const std::string where = component_label(info) + ", option \"" + spec.name() + "\"";
  EXPECT_TRUE(one_line(spec.help())) << where << ": needs one line of help (`adapt plugins info` prints it)";
  for (const auto& reserved : reserved_option_names(info.kind)) {
    EXPECT_NE(spec.name(), reserved) << where << ": \"" << reserved << "\" is reserved for the "
                                     << to_string(info.kind) << " kind and never reaches the factory";
  }
  if (spec.min_value() && spec.max_value()) {
    EXPECT_LE(*spec.min_value(), *spec.max_value()) << where << ": min is above max, no value is allowed";
  }
  // required() clears the default, and a null default means "absent unless given" (an optional
  // value); any other default must pass the option's own spec.
  if (spec.default_value().is_null()) return;
  try {
    spec.check(spec.default_value(), info.name + "." + spec.name());
  } catch (const std::exception& e) {
    ADD_FAILURE() << where << ": its default " << spec.default_value().dump()
                  << " breaks its own spec: " << e.what();
  }
}

}  // namespace detail

// Every component of `plugin` in `registry` ("core" for the core's own).
inline void check_options(const Registry& registry, const std::string& plugin) {
  const auto components = registry.components_of_plugin(plugin);
  ASSERT_FALSE(components.empty()) << "plugin \"" << plugin
                                   << "\" registered no component in this registry: is it loaded?";
  for (const auto& info : components) {
    const std::string label = detail::component_label(info);
    EXPECT_EQ(info.name.rfind(plugin + ".", 0), 0u) << label << ": must be named \"" << plugin << ".<component>\"";
    EXPECT_TRUE(detail::one_line(info.help)) << label << ": needs one line of help";
    bool any_required = false;
    for (const auto& spec : info.options) {
      any_required = any_required || spec.is_required();
      detail::check_option_spec(info, spec);
    }
    if (any_required) continue;
    try {
      registry.options(info.kind, json{{"name", info.name}}, info.name);
    } catch (const std::exception& e) {
      ADD_FAILURE() << label << ": its defaults do not validate: " << e.what();
    }
  }
}

}  // namespace adapt::testing
