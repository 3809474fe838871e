#pragma once
// Explanations by occlusion (`adapt explain`, docs/explanations.md): how far a prediction moves when
// one part of its input is taken out (a token, a residue, a time band, a column: Block::parts says
// what a part is and how to take it out), and, for a model over several inputs, when a whole input is
// marked missing. Model-agnostic: forward passes only, so every plugin's models are explained alike.
#include <string>
#include <vector>

#include "adapt/export/export.h"

namespace adapt {

struct ADAPT_API ExplainOptions {
  int64_t batch_size = 64;  // occluded items per forward pass
};

struct PartEffect {
  std::string input;  // the input's batch key ("x", "text", ...)
  std::string part;   // Block::parts' name for it; the input's key for a whole input
  double effect = 0;  // the score with everything present minus the score without it: > 0 supports
};

struct Explanation {
  json prediction;                 // the decoded prediction (temperature applied)
  std::string explained;           // what the score is: "p(spam)" for a class, "value" for a regression
  double score = 0;                // that score with every part present
  std::vector<PartEffect> parts;   // every part of every input, in input order
  std::vector<PartEffect> inputs;  // each whole input marked missing; empty when the model reads one
                                   // input or ignores the mark ("<key>.missing", core.fusion reads it)
};

// One record of `records`.
ADAPT_API Explanation explain_row(const Predictor& predictor, const Records& records, size_t row,
                                  const ExplainOptions& options = {});
// {"prediction", "explained", "score", "parts": [{"input", "part", "effect"}], "inputs": [...]}, and
// back (Error naming the missing field).
ADAPT_API json to_json(const Explanation& explanation);
ADAPT_API Explanation explanation_from_json(const json& j);
// The parts with the largest effects, largest |effect| first (at most `k`).
ADAPT_API std::vector<PartEffect> strongest(const std::vector<PartEffect>& parts, size_t k);
// One record's explanation as an HTML <section> headed `label` (the run report's top losses use it),
// with `shown` (the item drawn by its blocks, Block::show; trusted markup) under the heading.
ADAPT_API std::string explanation_section(const Explanation& explanation, const std::string& label,
                                          const std::string& shown = {});
// A self-contained HTML page: per record, every input's parts in order, shaded by effect (red
// supports the prediction, blue opposes it), and the strongest parts as bars. `labels` name the
// records (one per explanation).
ADAPT_API std::string explanation_page(const std::vector<Explanation>& explanations,
                                       const std::vector<std::string>& labels);

}  // namespace adapt
