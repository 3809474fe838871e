// The .adapt export: a torch::serialize archive (zip) with
//   "manifest"  CBOR bytes (uint8 tensor): format, versions, fingerprint, the recipe with defaults
//               filled, the plugins (name + version) its components come from, every block's state
//   "model"     a nested archive of the model's parameters and buffers by name
// Loading rebuilds the reader, blocks, transforms and model from the recipe with the registry, so no
// code is stored, and refuses a missing or incompatible plugin by name.
#include "adapt/export/export.h"

#include <algorithm>
#include <set>

#include "adapt/common/predict_time.h"
#include "adapt/common/version.h"
#include "adapt/data/csv.h"
#include "adapt/recipe/recipe.h"
#include "adapt/train/checkpoint.h"
#include "adapt/train/learner.h"
#include "export/predict_inputs.h"

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

// The checked manifest of an export's loaded archive.
json manifest_of(torch::serialize::InputArchive& archive, const std::string& what) {
  json manifest = read_json(archive, "manifest", what);
  try {
    check_manifest(manifest, what);
  } catch (const json::exception& e) {  // e.g. a string that is not UTF-8 in a message's dump()
    throw Error(what + " is damaged: its manifest does not read (" + std::string(e.what()) + ")");
  }
  return manifest;
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
                  const Registry& registry, const json& calibration, const MonitorReference* monitor) {
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
  if (!calibration.is_null()) manifest["calibration"] = calibration;
  const bool monitored = monitor && !monitor->empty();
  if (monitored) manifest["monitor"] = monitor->state();
  torch::serialize::OutputArchive archive, weights, monitor_tensors;
  write_json(archive, "manifest", manifest);
  write_module_state(weights, model);
  archive.write("model", weights);
  if (monitored) {
    monitor->write(monitor_tensors);
    archive.write("monitor", monitor_tensors);
  }
  save_archive(archive, file);
}

json read_manifest(const std::filesystem::path& file) {
  torch::serialize::InputArchive archive;
  load_archive(archive, file, "model file");
  return manifest_of(archive, "model file " + file.string());
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
  torch::serialize::InputArchive archive;  // opened and its seal checked once, for the manifest and the weights
  load_archive(archive, file, "model file");
  json manifest = manifest_of(archive, what);
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
    if (manifest.contains("calibration")) p.temperature_ = manifest["calibration"].at("temperature").get<double>();
  } catch (const json::exception& e) {
    // The recipe and states adapt wrote always have the shapes read here; others are damage.
    throw Error(what + " is damaged: its manifest does not describe a model (" + std::string(e.what()) +
                "); restore it from a good copy or retrain");
  }
  torch::serialize::InputArchive weights;
  archive.read("model", weights);
  read_module_state(weights, *p.model_, what);
  if (manifest.contains("monitor")) {
    torch::serialize::InputArchive monitor_tensors;
    try {
      archive.read("monitor", monitor_tensors);
      p.monitor_ = MonitorReference::load(manifest["monitor"], monitor_tensors, what);
    } catch (const c10::Error& e) {
      throw Error(what + " is damaged: its monitor tensors do not read (" + std::string(e.what_without_backtrace()) +
                  "); restore it from a good copy or retrain");
    }
  }
  p.model_->train(false);
  return p;
}

torch::Tensor Predictor::outputs(const Records& records) const {
  PredictTimeScope predicting;
  return predict_outputs(*model_, *blocks_, transforms_, records, kPredictBatchSize);
}

json PredictionColumns::row(size_t i) const {
  json d = decoded.at(i);
  if (!d.is_object()) return d;
  if (i < ood_score.size()) {
    d["ood_score"] = ood_score[i];
    d["in_domain"] = in_domain.at(i) != 0;
  }
  if (i < unseen.size() && !unseen[i].empty()) {
    d["unseen"] = unseen[i];
    d["in_domain"] = false;
  }
  return d;
}

std::vector<json> Predictor::predict(const Records& records) const {
  const PredictionColumns columns = predict_columns(records);
  std::vector<json> rows;
  rows.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) rows.push_back(columns.row(i));
  return rows;
}

PredictionColumns Predictor::predict_columns(const Records& records) const {
  PredictionColumns p =
      monitor_.out_of_domain.empty() ? decode({outputs(records), torch::Tensor(), {}}) : decode(outputs_and_features(records));
  // What an input block knows it never saw (an unseen id) puts the prediction out of domain.
  p.unseen.assign(p.size(), std::string());
  for (const auto& input : blocks_->inputs()) {
    const std::vector<std::string> why = input.block->unseen_batch(records);
    for (size_t row = 0; row < p.size() && row < why.size(); ++row) {
      if (why[row].empty()) continue;
      std::string& all = p.unseen[row];
      all += (all.empty() ? "" : "; ") + why[row];
      if (row < p.in_domain.size()) p.in_domain[row] = 0;
    }
  }
  return p;
}

OutputsAndFeatures Predictor::outputs_and_features(const Records& records) const {
  PredictTimeScope predicting;
  return predict_outputs_and_features(*model_, *blocks_, transforms_, records, kPredictBatchSize);
}

torch::Tensor Predictor::domain_scores(const OutputsAndFeatures& scored) const {
  const OutOfDomainScorer& ood = monitor_.out_of_domain;
  if (ood.empty()) return {};
  return ood.score(ood.uses_features() ? scored.features : torch::Tensor(),
                   ood.uses_logits() ? scored.outputs : torch::Tensor(), scored.sequences);
}

PredictionColumns Predictor::decode(const OutputsAndFeatures& scored) const {
  const torch::Tensor out = temperature_ != 1.0 ? scored.outputs / temperature_ : scored.outputs;
  PredictionColumns p;
  p.decoded = blocks_->target().block->decode_batch(out);
  if (monitor_.out_of_domain.empty()) return p;
  const torch::Tensor ood = domain_scores(scored).contiguous();
  const double* s = ood.data_ptr<double>();
  p.ood_score.assign(s, s + std::min<size_t>(p.size(), static_cast<size_t>(ood.numel())));
  p.in_domain.resize(p.ood_score.size());
  const double threshold = monitor_.out_of_domain.threshold();
  for (size_t i = 0; i < p.ood_score.size(); ++i) p.in_domain[i] = p.ood_score[i] <= threshold;
  return p;
}

torch::Tensor Predictor::embeddings(const Records& records) const {
  PredictTimeScope predicting;
  return predict_outputs(*model_, *blocks_, transforms_, records, kPredictBatchSize, ModelOutput::embedding);
}

Sample Predictor::encode_row(const Records& records, size_t row) const {
  PredictTimeScope predicting;
  return encode_for_predict(*blocks_, transforms_, records, row);
}

torch::Tensor Predictor::outputs_of(const std::vector<Sample>& items, const std::function<void(Batch&)>& adjust) const {
  PredictTimeScope predicting;
  return predict_items(*model_, *blocks_, transforms_, items, adjust);
}

std::vector<json> Predictor::predict_inputs(const std::vector<std::string>& inputs) const {
  return predict(read_inputs(inputs));
}

std::vector<std::string> Predictor::input_columns() const { return reader_->predict_columns(blocks_->input_columns()); }

void Predictor::complete(Records& records) const { reader_->complete(records); }

Records Predictor::read_inputs(const std::vector<std::string>& inputs) const {
  if (inputs.empty()) throw OptionError("predict: give at least one input");
  PredictTimeScope predicting;
  const auto columns = input_columns();
  if (columns.empty()) throw Error("predict: the model's input blocks read no columns");
  auto complete = [&](const Records& r) {
    return std::all_of(columns.begin(), columns.end(), [&](const std::string& c) { return r.has_column(c); });
  };
  Records records;
  if (std::all_of(inputs.begin(), inputs.end(), is_json_lines_file)) {
    records = read_table_inputs(inputs, columns);
  } else {
    // The plugin's reader first (it knows its files); where it fills fewer columns than the model
    // reads, the inputs are table files with those columns, or one CSV row each.
    records = reader_->read_inputs(inputs, columns.front());
    if (!complete(records))
      records = std::any_of(inputs.begin(), inputs.end(), is_table_file) ? read_table_inputs(inputs, columns)
                                                                         : parse_row_inputs(inputs, columns);
  }
  reader_->complete(records);  // joined columns, looked up by key
  return records;
}

}  // namespace adapt
