// The .adapt export: a torch::serialize archive (zip) with
//   "manifest"  CBOR bytes (uint8 tensor): format, versions, fingerprint, the recipe with defaults
//               filled, the plugins (name + version) its components come from, every block's state
//   "model"     a nested archive of the model's parameters and buffers by name
// Loading rebuilds the reader, blocks, transforms and model from the recipe with the registry, so no
// code is stored, and refuses a missing or incompatible plugin by name.
#include "adapt/export/export.h"

#include <algorithm>
#include <set>

#include "adapt/common/version.h"
#include "adapt/data/csv.h"
#include "adapt/recipe/recipe.h"
#include "adapt/train/checkpoint.h"
#include "adapt/train/learner.h"

namespace adapt {
namespace {

constexpr int kFormatVersion = 1;
constexpr const char* kFormatName = "adapt-model";

// Versions are compatible when the major parts agree (and, before 1.0, the minor parts too).
bool compatible_versions(const std::string& recorded, const std::string& loaded) {
  auto parts = [](const std::string& v) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : v) {
      if (c == '.') {
        out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    out.push_back(cur);
    while (out.size() < 3) out.push_back("0");
    return out;
  };
  auto a = parts(recorded), b = parts(loaded);
  if (a[0] != b[0]) return false;
  return a[0] != "0" || a[1] == b[1];
}

// The manifest's own fields, checked before anything reads them: a damaged or foreign file is an
// Error naming it, not a JSON type error without a file.
void check_manifest(const json& manifest, const std::string& what) {
  const json format = manifest.is_object() ? manifest.value("format", json()) : json();
  if (format != kFormatName)
    throw Error(what + " is not an adapt model export (format " + format.dump() + ")");
  const json format_version = manifest.value("format_version", json());
  if (!format_version.is_number_integer())
    throw Error(what + " is damaged: its manifest's format_version is " + format_version.dump() + ", not an integer");
  if (format_version.get<int64_t>() > kFormatVersion)
    throw Error(what + " has export format " + format_version.dump() + " but this adapt " + version() +
                " reads format " + std::to_string(kFormatVersion) + " and older; upgrade adapt");
  for (const char* key : {"recipe", "blocks", "plugins"})
    if (!manifest.contains(key) || !manifest[key].is_object())
      throw Error(what + " is damaged: its manifest has no \"" + key + "\" object");
}

}  // namespace

json recipe_plugins(const json& recipe, const Registry& registry) {
  json plugins = json::object();
  for (const auto& [kind, spec, path] : recipe_components(recipe)) {
    std::string name = spec.value("name", "");
    std::string plugin = registry.has(kind, name) ? registry.info(kind, name).plugin : name.substr(0, name.find('.'));
    if (plugins.contains(plugin)) continue;
    plugins[plugin] = registry.plugin_version(plugin);
  }
  return plugins;
}

void export_model(const std::filesystem::path& file, const json& recipe, const DataBlocks& blocks, Model& model,
                  const Registry& registry) {
  json manifest = {
      {"format", kFormatName},
      {"format_version", kFormatVersion},
      {"adapt_version", version()},
      {"fingerprint", build_fingerprint()},
      {"recipe", recipe},
      {"plugins", recipe_plugins(recipe, registry)},
      {"blocks", blocks.state()},
      {"n_outputs", blocks.target().block ? blocks.target().block->n_outputs() : 0},
  };
  torch::serialize::OutputArchive archive, weights;
  write_json(archive, "manifest", manifest);
  write_module_state(weights, model);
  archive.write("model", weights);
  save_archive(archive, file);
}

json read_manifest(const std::filesystem::path& file) {
  const std::string what = "model file " + file.string();
  torch::serialize::InputArchive archive;
  load_archive(archive, file, "model file");
  json manifest = read_json(archive, "manifest", what);
  try {
    check_manifest(manifest, what);
  } catch (const json::exception& e) {  // e.g. a string that is not UTF-8 in a message's dump()
    throw Error(what + " is damaged: its manifest does not read (" + std::string(e.what()) + ")");
  }
  return manifest;
}

void check_plugins(const json& manifest, const Registry& registry, const std::string& what) {
  const json& recipe = manifest.at("recipe");
  const json plugins = manifest.value("plugins", json::object());
  for (const auto& item : plugins.items()) {
    const std::string& plugin = item.key();
    std::string recorded = item.value().is_string() ? item.value().get<std::string>() : "";
    if (plugin == "core") {
      if (!compatible_versions(recorded, version()))
        throw Error(what + " was made with adapt " + recorded + " and this is adapt " + version() +
                    "; load it with a compatible adapt or retrain");
      continue;
    }
    if (registry.components_of_plugin(plugin).empty())
      throw Error(what + " needs the plugin \"" + plugin + "\"" + (recorded.empty() ? "" : " " + recorded) +
                  ", which is not loaded; build or install it, or add its directory with --plugin-path / "
                  "ADAPT_PLUGIN_PATH (`adapt plugins list` shows what was found and why a plugin failed)");
    std::string loaded = registry.plugin_version(plugin);
    if (!recorded.empty() && !loaded.empty() && !compatible_versions(recorded, loaded))
      throw Error(what + " was made with plugin \"" + plugin + "\" " + recorded + " but version " + loaded +
                  " is loaded; install a compatible version of the plugin or retrain the model");
  }
  for (const auto& [kind, spec, path] : recipe_components(recipe)) {
    std::string name = spec.value("name", "");
    if (!registry.has(kind, name))
      throw Error(what + " needs the " + to_string(kind) + " \"" + name + "\" (recipe " + path +
                  "), which no loaded plugin provides; load the plugin \"" + name.substr(0, name.find('.')) +
                  "\" in the version the model was made with");
  }
}

Predictor Predictor::load(const std::filesystem::path& file, const Registry& registry) {
  const std::string what = "model file " + file.string();
  json manifest = read_manifest(file);
  Predictor p;
  try {
    check_plugins(manifest, registry, what);
    p.manifest_ = manifest;
    p.recipe_ = manifest.at("recipe");
    p.blocks_ = build_blocks(p.recipe_, registry);
    p.blocks_->load_state(manifest.at("blocks"));
    p.transforms_ = build_transforms(p.recipe_, registry, *p.blocks_, /*deterministic_only=*/true);
    p.reader_ = registry.reader(p.recipe_.at("reader"), "reader");
    p.model_ = build_model(p.recipe_, registry, *p.blocks_, /*apply_init_from=*/false);
  } catch (const json::exception& e) {
    // The recipe and states adapt wrote always have the shapes read here; others are damage.
    throw Error(what + " is damaged: its manifest does not describe a model (" + std::string(e.what()) +
                "); restore it from a good copy or retrain");
  }
  torch::serialize::InputArchive archive, weights;
  load_archive(archive, file, "model file");
  archive.read("model", weights);
  read_module_state(weights, *p.model_, what);
  p.model_->train(false);
  return p;
}

torch::Tensor Predictor::outputs(const Records& records) const {
  return predict_outputs(*model_, *blocks_, transforms_, records, kPredictBatchSize);
}

std::vector<json> Predictor::predict(const Records& records) const {
  auto out = outputs(records);
  const Block& target = *blocks_->target().block;
  std::vector<json> decoded;
  for (int64_t i = 0; i < out.size(0); ++i) decoded.push_back(target.decode(out[i]));
  return decoded;
}

torch::Tensor Predictor::embeddings(const Records& records) const {
  return predict_outputs(*model_, *blocks_, transforms_, records, kPredictBatchSize, ModelOutput::embedding);
}

std::vector<json> Predictor::predict_inputs(const std::vector<std::string>& inputs) const {
  return predict(read_inputs(inputs));
}

Records Predictor::read_inputs(const std::vector<std::string>& inputs) const {
  if (inputs.empty()) throw OptionError("predict: give at least one input");
  auto columns = blocks_->input_columns();
  if (columns.empty()) throw Error("predict: the model's input blocks read no columns");
  Records records = reader_->read_inputs(inputs, columns.front());
  bool complete = true;
  for (const auto& c : columns) complete = complete && records.has_column(c);
  if (!complete) {
    // Several input columns and a reader that fills one: each input is a CSV row of the input
    // columns in order ("1.2,0.3,red"), or of name=value pairs ("x1=1.2,x2=0.3").
    Records rows(columns, "command line");
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string origin = "input " + std::to_string(i + 1);
      Records parsed = parse_csv(inputs[i], origin, CsvOptions().header(false).trim(true));
      if (parsed.size() != 1)
        throw DataError("predict: " + origin + " \"" + inputs[i] + "\" must be one CSV row of " +
                        std::to_string(columns.size()) + " values");
      std::vector<std::string> fields;
      for (size_t c = 0; c < parsed.column_names().size(); ++c) fields.push_back(parsed.at(0, c));
      std::vector<std::string> values(columns.size());
      bool named = !fields.empty() && std::all_of(fields.begin(), fields.end(),
                                                  [](const std::string& f) { return f.find('=') != std::string::npos; });
      std::string expected;
      for (const auto& c : columns) expected += (expected.empty() ? "" : ",") + c;
      if (named) {
        std::vector<bool> seen(columns.size(), false);
        for (const auto& f : fields) {
          std::string key = f.substr(0, f.find('=')), value = f.substr(f.find('=') + 1);
          auto it = std::find(columns.begin(), columns.end(), key);
          if (it == columns.end())
            throw DataError("predict: " + origin + " names the column \"" + key + "\", which the model does not read; its columns are " + expected);
          values[static_cast<size_t>(it - columns.begin())] = value;
          seen[static_cast<size_t>(it - columns.begin())] = true;
        }
        for (size_t c = 0; c < columns.size(); ++c)
          if (!seen[c]) throw DataError("predict: " + origin + " gives no value for the column \"" + columns[c] + "\" (columns: " + expected + ")");
      } else {
        if (fields.size() != columns.size())
          throw DataError("predict: " + origin + " has " + std::to_string(fields.size()) + " values but the model reads " +
                          std::to_string(columns.size()) + " columns (" + expected + "); give them in that order, or as name=value pairs");
        values = fields;
      }
      rows.add_row(values, origin);
    }
    records = std::move(rows);
  }
  return records;
}

}  // namespace adapt
