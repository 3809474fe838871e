#include "adapt/export/read_new_data.h"

namespace adapt {

Records read_new_data(const Predictor& predictor, const std::filesystem::path& data, const Registry& registry,
                      const std::string& command) {
  json spec = predictor.recipe().at("reader");
  const char* key = spec.contains("path") ? "path" : spec.contains("root") ? "root" : nullptr;
  if (!key)
    throw OptionError(command + ": the model's reader " + spec.value("name", std::string("?")) +
                      " takes no path or root, so it cannot be pointed at " + data.string());
  if (!std::filesystem::exists(data)) throw OptionError(command + ": " + data.string() + " does not exist");
  spec[key] = std::filesystem::absolute(data).string();
  for (const char* other : {"test_path", "test_file", "valid_path", "valid_file"})
    if (spec.contains(other)) spec[other] = "";
  return registry.reader(spec, "reader")->read();
}

}  // namespace adapt
