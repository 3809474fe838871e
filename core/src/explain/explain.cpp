#include "adapt/explain/explain.h"

#include <algorithm>
#include <cmath>

namespace adapt {

namespace {

// What a prediction's score is: a class's probability (softmax or sigmoid) or the decoded value.
struct Score {
  enum class Kind { softmax, sigmoid, value } kind = Kind::value;
  int64_t index = 0;
  double temperature = 1.0;
  const Block* target = nullptr;

  double operator()(const torch::Tensor& row) const {
    const torch::Tensor logits = row.to(torch::kDouble) / temperature;
    if (kind == Kind::softmax) return torch::softmax(logits, 0)[index].item<double>();
    if (kind == Kind::sigmoid) return torch::sigmoid(logits[index]).item<double>();
    const json decoded = target->decode(row);
    if (decoded.is_object() && decoded.contains("value") && decoded["value"].is_number())
      return decoded["value"].get<double>();
    return row.reshape({-1})[0].item<double>();
  }
};

Score score_for(const Predictor& predictor, const torch::Tensor& full, std::string& explained) {
  const Block& target = *predictor.blocks()->target().block;
  Score score;
  score.target = &target;
  score.temperature = predictor.temperature();
  const std::string loss = target.loss();
  if ((loss == "cross_entropy" || loss == "bce_with_logits") && full.dim() == 1 && full.numel() > 0) {
    score.kind = loss == "cross_entropy" ? Score::Kind::softmax : Score::Kind::sigmoid;
    score.index = full.argmax().item<int64_t>();
    const auto classes = target.classes();
    const std::string name = score.index < static_cast<int64_t>(classes.size())
                                 ? classes[static_cast<size_t>(score.index)]
                                 : "output " + std::to_string(score.index);
    explained = "p(" + name + ")";
  } else {
    explained = "value";
  }
  return score;
}

Sample with_input(Sample item, const std::string& key, const TensorDict& relative) {
  for (const auto& [k, t] : owned_keys(item, key)) item.erase(k.empty() ? key : key + "." + k);
  for (const auto& [k, t] : relative) item[k.empty() ? key : key + "." + k] = t;
  return item;
}

}  // namespace

Explanation explain_row(const Predictor& predictor, const Records& records, size_t row, const ExplainOptions& options) {
  if (options.batch_size < 1) throw OptionError("explain: batch_size must be >= 1");
  const DataBlocks& blocks = *predictor.blocks();
  const Sample item = predictor.encode_row(records, row);
  const torch::Tensor full = predictor.outputs_of({item})[0];
  Explanation e;
  e.prediction = blocks.target().block->decode(full / predictor.temperature());
  const Score score = score_for(predictor, full, e.explained);
  e.score = score(full);

  std::vector<Sample> variants;
  for (const auto& bound : blocks.inputs())
    for (InputPart& part : bound.block->parts(records, row, owned_keys(item, bound.key))) {
      e.parts.push_back({bound.key, part.name, 0.0});
      variants.push_back(with_input(item, bound.key, part.without));
    }
  for (size_t start = 0; start < variants.size(); start += static_cast<size_t>(options.batch_size)) {
    const size_t end = std::min(variants.size(), start + static_cast<size_t>(options.batch_size));
    const torch::Tensor out =
        predictor.outputs_of(std::vector<Sample>(variants.begin() + static_cast<std::ptrdiff_t>(start),
                                                 variants.begin() + static_cast<std::ptrdiff_t>(end)));
    for (size_t i = start; i < end; ++i) e.parts[i].effect = e.score - score(out[static_cast<int64_t>(i - start)]);
  }

  if (blocks.inputs().size() > 1) {
    bool any = false;
    for (const auto& bound : blocks.inputs()) {
      const std::string mark = bound.key + ".missing";
      const torch::Tensor out = predictor.outputs_of({item}, [&](Batch& batch) {
        batch[mark] = torch::ones({1}, torch::kBool);
      })[0];
      e.inputs.push_back({bound.key, bound.key, e.score - score(out)});
      any = any || e.inputs.back().effect != 0.0;
    }
    if (!any) e.inputs.clear();  // the model does not read the mark
  }
  for (const auto& p : e.parts)
    if (!std::isfinite(p.effect))
      throw Error("explain: the effect of part \"" + p.part + "\" of input \"" + p.input +
                  "\" is not finite; the model's outputs without it are not finite numbers");
  return e;
}

json to_json(const Explanation& e) {
  const auto effects = [](const std::vector<PartEffect>& parts) {
    json list = json::array();
    for (const auto& p : parts) list.push_back({{"input", p.input}, {"part", p.part}, {"effect", p.effect}});
    return list;
  };
  json out = {{"prediction", e.prediction}, {"explained", e.explained}, {"score", e.score},
              {"parts", effects(e.parts)}};
  if (!e.inputs.empty()) out["inputs"] = effects(e.inputs);
  return out;
}

Explanation explanation_from_json(const json& j) {
  const auto need = [](const json& o, const char* key) -> const json& {
    if (!o.is_object() || !o.contains(key)) throw Error(std::string("explanation: the field \"") + key + "\" is missing");
    return o.at(key);
  };
  const auto effects = [&](const json& list) {
    std::vector<PartEffect> parts;
    for (const auto& p : list)
      parts.push_back({need(p, "input").get<std::string>(), need(p, "part").get<std::string>(),
                       need(p, "effect").get<double>()});
    return parts;
  };
  Explanation e;
  e.prediction = need(j, "prediction");
  e.explained = need(j, "explained").get<std::string>();
  e.score = need(j, "score").get<double>();
  e.parts = effects(need(j, "parts"));
  if (j.contains("inputs")) e.inputs = effects(j.at("inputs"));
  return e;
}

std::vector<PartEffect> strongest(const std::vector<PartEffect>& parts, size_t k) {
  std::vector<PartEffect> sorted = parts;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const PartEffect& a, const PartEffect& b) { return std::abs(a.effect) > std::abs(b.effect); });
  if (sorted.size() > k) sorted.resize(k);
  return sorted;
}

}  // namespace adapt
