#include "tokenizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "adapt/common/error.h"
#include "utf8.h"

namespace adapt::text {
namespace {

constexpr int state_format = 1;

// Two blocks with the same options fitted on the same texts (a language model's input and target
// blocks) share one training run: SentencePiece is deterministic, this only saves the time.
std::shared_ptr<const SentencePieceModel> train_cached(const std::vector<std::string>& texts,
                                                       const SentencePieceTrainOptions& spm) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<const SentencePieceModel>> cache;
  std::string key = fmt::format("{}|{}|{}|", spm.model_type, spm.vocab_size, spm.character_coverage);
  for (const auto& s : spm.user_symbols) key += s + ",";
  size_t hash = 0, bytes = 0;
  for (const auto& t : texts) {
    hash = hash * 1000003u ^ std::hash<std::string>{}(t);
    bytes += t.size();
  }
  key += fmt::format("{}|{}|{}", texts.size(), bytes, hash);
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(key); it != cache.end())
    if (auto model = it->second.lock()) return model;
  std::shared_ptr<const SentencePieceModel> model = SentencePieceModel::train(texts, spm);
  cache[key] = model;
  return model;
}

json rules_json(const TextRules& r) {
  return {{"fix_html", r.fix_html}, {"mark_case", r.mark_case}, {"mark_repetitions", r.mark_repetitions},
          {"add_spaces", r.add_spaces}};
}

}  // namespace

OptionSchema tokenizer_schema() {
  return {
      OptionSpec("columns", OptionType::string_list, json::array({"text"}),
                 "text columns; several are joined with xxfld markers"),
      OptionSpec("model_type", OptionType::string, "unigram", "SentencePiece model").choices({"unigram", "bpe"}),
      OptionSpec("vocab_size", OptionType::integer, 8000,
                 "SentencePiece vocabulary size (a small corpus may give fewer pieces)")
          .min(16)
          .max(1000000),
      OptionSpec("character_coverage", OptionType::number, 0.9995,
                 "share of characters the vocabulary covers; the rarest map to unknown")
          .min(0.5)
          .max(1.0),
      OptionSpec("special_tokens", OptionType::string_list, json::array(),
                 "extra tokens kept whole (no spaces or commas)"),
      OptionSpec("fix_html", OptionType::boolean, true, "turn HTML entities and <br /> into characters"),
      OptionSpec("mark_case", OptionType::boolean, true, "lower-case, marking capitals with xxmaj / xxup"),
      OptionSpec("mark_repetitions", OptionType::boolean, true,
                 "replace runs of 3+ characters or words with xxrep / xxwrep n"),
      OptionSpec("add_spaces", OptionType::boolean, true, "spaces around / and #"),
      OptionSpec("max_chars", OptionType::integer, 20000,
                 "texts longer than this many bytes are truncated before tokenization")
          .min(1),
      OptionSpec("invalid_utf8", OptionType::string, "error", "invalid UTF-8 bytes: fail, or replace with U+FFFD")
          .choices({"error", "replace"}),
      OptionSpec("on_empty", OptionType::string, "error", "an empty text: fail with its row, or keep it")
          .choices({"error", "keep"}),
  };
}

TokenizerOptions TokenizerOptions::from(const Options& o, const std::string& component) {
  TokenizerOptions t;
  t.component = component;
  t.columns = o.strings("columns");
  if (t.columns.empty()) throw o.error("columns", "give at least one text column, e.g. [\"text\"]");
  t.spm.model_type = o.string("model_type");
  t.spm.vocab_size = o.integer("vocab_size");
  t.spm.character_coverage = o.number("character_coverage");
  t.special_tokens = o.strings("special_tokens");
  for (const auto& s : t.special_tokens)
    if (s.empty() || s.find_first_of(" ,\t\n=") != std::string::npos)
      throw o.error("special_tokens", fmt::format("token '{}' is empty or holds a space, comma or '='; "
                                                  "choose tokens without those",
                                                  s));
  t.rules.fix_html = o.boolean("fix_html");
  t.rules.mark_case = o.boolean("mark_case");
  t.rules.mark_repetitions = o.boolean("mark_repetitions");
  t.rules.add_spaces = o.boolean("add_spaces");
  t.max_chars = o.integer("max_chars");
  t.invalid_utf8 = o.string("invalid_utf8");
  t.on_empty = o.string("on_empty");
  return t;
}

std::string Tokenizer::normalise(const std::string& raw, const std::string& where) const {
  std::string text = checked_utf8(raw, options_.invalid_utf8, where);
  text = truncate_utf8(text, static_cast<size_t>(options_.max_chars));
  return apply_rules(text, options_.rules);
}

std::string Tokenizer::text_of(const Records& records, size_t row) const {
  std::string joined;
  bool all_empty = true;
  for (size_t c = 0; c < options_.columns.size(); ++c) {
    const auto& column = options_.columns[c];
    if (!records.has_column(column)) {
      std::string available;
      for (const auto& name : records.column_names()) available += (available.empty() ? "" : ", ") + name;
      throw DataError(fmt::format("{}: the data ({}) has no text column '{}'; it has: {}. Set the block's "
                                  "columns option",
                                  options_.component, records.source(), column, available));
    }
    const std::string where =
        fmt::format("{}: row {} ({}) column '{}'", options_.component, row, records.origin(row), column);
    std::string text = normalise(records.at(row, column), where);
    if (!text.empty()) all_empty = false;
    if (options_.columns.size() > 1) joined += fmt::format("{}xxfld {} ", joined.empty() ? "" : " ", c + 1);
    joined += text;
  }
  if (all_empty && options_.on_empty == "error") {
    throw DataError(fmt::format("{}: row {} ({}) has an empty text in column '{}'; remove empty rows or set "
                                "the block option on_empty to \"keep\"",
                                options_.component, row, records.origin(row), options_.columns.front()));
  }
  return joined;
}

void Tokenizer::fit(const Records& train) {
  std::vector<std::string> texts;
  texts.reserve(train.size());
  for (size_t row = 0; row < train.size(); ++row) texts.push_back(text_of(train, row));
  auto spm = options_.spm;
  // Markers can double a text's length; no training text may be skipped for being long.
  spm.max_sentence_length = std::max<int64_t>(16384, 3 * options_.max_chars);
  spm.user_symbols = rule_markers();
  spm.user_symbols.push_back("xxmask");
  for (const auto& s : options_.special_tokens) spm.user_symbols.push_back(s);
  model_ = train_cached(texts, spm);
}

const SentencePieceModel& Tokenizer::model() const {
  if (!model_)
    throw Error(options_.component + ": the tokenizer is not trained yet; call setup() on the training "
                                     "records or load_state() from an export first");
  return *model_;
}

std::vector<int64_t> Tokenizer::encode(const std::string& normalised) const {
  const auto ids = model().encode(normalised);
  std::vector<int64_t> out;
  out.reserve(ids.size() + 1);
  out.push_back(SentencePieceModel::bos_id);
  out.insert(out.end(), ids.begin(), ids.end());
  return out;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids) const {
  std::vector<int> plain;
  for (auto id : ids)
    if (id != SentencePieceModel::bos_id && id != SentencePieceModel::pad_id && id != SentencePieceModel::eos_id)
      plain.push_back(static_cast<int>(id));
  return model().decode(plain);
}

int64_t Tokenizer::vocab_size() const { return model().vocab_size(); }

json Tokenizer::dims() const {
  return {{"vocab_size", vocab_size()},
          {"pad_id", SentencePieceModel::pad_id},
          {"unk_id", SentencePieceModel::unk_id},
          {"bos_id", SentencePieceModel::bos_id},
          {"eos_id", SentencePieceModel::eos_id},
          {"mask_id", model().piece_to_id("xxmask")}};
}

json Tokenizer::state() const {
  const auto& bytes = model().bytes();
  return {{"format", state_format},
          {"sentencepiece", json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()))},
          {"rules", rules_json(options_.rules)},
          {"max_chars", options_.max_chars},
          {"vocab_size", vocab_size()}};
}

void Tokenizer::load_state(const json& state) {
  if (!state.is_object() || !state.contains("sentencepiece") || !state["sentencepiece"].is_binary())
    throw Error(options_.component + ": the saved state has no SentencePiece model; the export is damaged or "
                                     "was written by another block");
  if (state.value("format", 0) != state_format)
    throw Error(fmt::format("{}: saved state format {} is not the supported format {}; export again with "
                            "this version",
                            options_.component, state.value("format", 0), state_format));
  const auto& binary = state["sentencepiece"].get_binary();
  // The rules the model was trained with win over the recipe's: the vocabulary depends on them.
  const auto& r = state.at("rules");
  options_.rules.fix_html = r.at("fix_html");
  options_.rules.mark_case = r.at("mark_case");
  options_.rules.mark_repetitions = r.at("mark_repetitions");
  options_.rules.add_spaces = r.at("add_spaces");
  options_.max_chars = state.at("max_chars");
  model_ = SentencePieceModel::load(std::string(binary.begin(), binary.end()));
}

}  // namespace adapt::text
