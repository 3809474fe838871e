// Writes what the Python peer of bench/serve needs to serve the same model as `adapt serve`:
//   OUT/weights.pt   every parameter and buffer by name (torch.load reads it: a dict of tensors)
//   OUT/model.json   the recipe (every default filled in), the blocks' state (vocabularies, id maps,
//                    normalisation statistics, audio feature settings), each block's dims() (token ids,
//                    lengths, table sizes), the columns a table row gives, and the calibration
//                    (temperature) when the export holds one
//   OUT/spm.model    a text model's SentencePiece model, when there is one
//   bench_serve_export MODEL.adapt OUT_DIR
#include <torch/torch.h>

#include <fstream>
#include <iostream>

#include "adapt/export/export.h"
#include "adapt/plugin/plugin_host.h"

namespace {

// Binary values (a SentencePiece model) go to their own file; JSON keeps the file name.
void move_binaries(adapt::json& value, const std::filesystem::path& out) {
  if (value.is_binary()) {
    const auto& bytes = value.get_binary();
    std::ofstream(out / "spm.model", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    value = "spm.model";
    return;
  }
  if (value.is_structured())
    for (auto& item : value) move_binaries(item, out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench_serve_export MODEL.adapt OUT_DIR\n";
    return 2;
  }
  try {
    const std::filesystem::path out = argv[2];
    std::filesystem::create_directories(out);
    adapt::Predictor predictor = adapt::Predictor::load(argv[1], adapt::global_registry());
    c10::Dict<std::string, torch::Tensor> weights;
    for (const auto& p : predictor.model()->named_parameters()) weights.insert(p.key(), p.value().detach());
    for (const auto& b : predictor.model()->named_buffers()) weights.insert(b.key(), b.value());
    const std::vector<char> bytes = torch::pickle_save(weights);
    std::ofstream(out / "weights.pt", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    adapt::json dims = adapt::json::object();
    for (const auto& input : predictor.blocks()->inputs()) dims[input.key] = input.block->dims();
    if (const auto& target = predictor.blocks()->target(); target.block) dims[target.key] = target.block->dims();
    adapt::json model = {{"recipe", predictor.recipe()},
                         {"blocks", predictor.manifest().at("blocks")},
                         {"dims", dims},
                         {"input_columns", predictor.input_columns()}};
    if (predictor.manifest().contains("calibration")) model["calibration"] = predictor.manifest()["calibration"];
    move_binaries(model, out);
    std::ofstream(out / "model.json") << model.dump(1);
  } catch (const std::exception& e) {
    std::cerr << "bench_serve_export: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
