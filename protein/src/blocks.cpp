#include "blocks.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "adapt/data/input_parts.h"
#include "adapt/report/plot.h"
#include "register.h"

namespace adapt::protein {

int64_t window_offset(int64_t n, int64_t max_len, const EncodeContext& ctx, size_t row) {
  if (n <= max_len || ctx.split != Split::train || ctx.rng == nullptr) return 0;
  Rng window(mix_seed(ctx.rng->seed(), static_cast<uint64_t>(row)));
  return window.integer(0, n - max_len + 1);
}

TensorDict pad_ids(const std::vector<TensorDict>& items, int64_t pad_value, const char* component,
                   int64_t fixed_length) {
  if (items.empty()) throw Error(std::string(component) + ": collate got no items; a batch needs at least one");
  int64_t longest = 1;
  for (const auto& item : items) {
    auto it = item.find("");
    if (it == item.end() || it->second.dim() != 1)
      throw Error(std::string(component) + ": collate expects 1-D ids under the block's key");
    longest = std::max<int64_t>(longest, it->second.size(0));
  }
  longest = std::max(longest, fixed_length);
  const auto n = static_cast<int64_t>(items.size());
  auto ids = torch::full({n, longest}, pad_value, torch::kLong);
  auto mask = torch::zeros({n, longest}, torch::kBool);
  auto lengths = torch::empty({n}, torch::kLong);
  for (int64_t i = 0; i < n; ++i) {
    const auto& s = items[static_cast<size_t>(i)].at("");
    const int64_t len = s.size(0);
    ids[i].narrow(0, 0, len).copy_(s);
    mask[i].narrow(0, 0, len).fill_(true);
    lengths[i] = len;
  }
  return {{"", ids}, {"mask", mask}, {"lengths", lengths}};
}

// --- protein.sequence / protein.mlm ------------------------------------------------------------

SequenceBlock::SequenceBlock(SequenceOptions options) : options_(std::move(options)), vocab_(options_.kmer) {}

OptionSchema SequenceBlock::schema(bool mlm) {
  OptionSchema s{
      OptionSpec("column", OptionType::string, "sequence", "the column holding sequences"),
      OptionSpec("max_len", OptionType::integer, 1022,
                 "most residues kept (ESM: 1022 + <cls> + <eos>); longer sequences are cropped or refused")
          .min(1),
      OptionSpec("too_long", OptionType::string, "crop",
                 "a longer sequence: crop (random window on train, first max_len residues elsewhere) or error")
          .choices({"crop", "error"}),
      OptionSpec("add_cls", OptionType::boolean, true, "prepend <cls>"),
      OptionSpec("add_eos", OptionType::boolean, true, "append <eos>"),
      OptionSpec("kmer", OptionType::integer, 1, "1: one ESM token per residue; 2 or 3: overlapping k-mer tokens")
          .min(1)
          .max(3),
      OptionSpec("invalid", OptionType::string, "error",
                 "a character that is no residue letter: error (names record and position), x (map to X), remove")
          .choices({"error", "x", "remove"}),
  };
  if (!mlm)
    s.push_back(OptionSpec("pad_to_max", OptionType::boolean, false,
                           "pad batches to max_len (+ specials): needed with a protein.residue_labels target"));
  if (mlm) {
    s.push_back(OptionSpec("role", OptionType::string, "input",
                           "input: the corrupted ids; target: original ids at the chosen positions, -100 elsewhere")
                    .choices({"input", "target"}));
    s.push_back(OptionSpec("mask_prob", OptionType::number, 0.15, "share of residues chosen for prediction")
                    .greater_than(0)
                    .max(1));
  }
  return s;
}

SequenceOptions SequenceBlock::parse(const Options& o, const std::string& role) {
  SequenceOptions s;
  s.column = o.string("column");
  s.max_len = o.integer("max_len");
  s.too_long = o.string("too_long");
  s.add_cls = o.boolean("add_cls");
  s.add_eos = o.boolean("add_eos");
  s.kmer = o.integer("kmer");
  s.invalid = parse_invalid_policy(o.string("invalid"), o.path() + ".invalid");
  s.role = role;
  if (o.has("mask_prob")) s.mask_prob = o.number("mask_prob");
  // Masked-LM input and target come from the same rows, so padding each batch to its longest keeps
  // them aligned; only a per-residue label target needs the fixed length.
  s.pad_to_max = role == "sequence" && o.boolean("pad_to_max");
  return s;
}

void SequenceBlock::setup(const Records& train) {
  const auto& col = train.column(options_.column);
  size_t longest = 0;
  for (const auto& s : col) longest = std::max(longest, s.size());
  // Only a training set with sequences longer than max_len makes encode random (random windows).
  random_on_train_ = static_cast<int64_t>(longest) > options_.max_len && options_.too_long == "crop";
}

std::string SequenceBlock::residues(const Records& records, size_t row, const EncodeContext& ctx) const {
  const char* component = options_.role == "sequence" ? "protein.sequence" : "protein.mlm";
  std::string r = clean_sequence(records.at(row, options_.column), options_.invalid, component,
                                 records.origin(row) + " column '" + options_.column + "'");
  const auto n = static_cast<int64_t>(r.size());
  if (n > options_.max_len) {
    if (options_.too_long == "error")
      throw DataError(std::string(component) + ": " + records.origin(row) + ": a sequence of " + std::to_string(n) +
                      " residues is longer than max_len " + std::to_string(options_.max_len) +
                      "; raise max_len, or set too_long to \"crop\" to keep a window");
    r = r.substr(static_cast<size_t>(window_offset(n, options_.max_len, ctx, row)),
                 static_cast<size_t>(options_.max_len));
  }
  return r;
}

std::vector<int64_t> SequenceBlock::framed(const std::string& residues) const {
  const auto body = vocab_.encode(residues);
  std::vector<int64_t> ids;
  ids.reserve(body.size() + 2);
  if (options_.add_cls) ids.push_back(vocab_.cls_id());
  ids.insert(ids.end(), body.begin(), body.end());
  if (options_.add_eos) ids.push_back(vocab_.eos_id());
  return ids;
}

TensorDict SequenceBlock::encode(const Records& records, size_t row, const EncodeContext& ctx) const {
  std::vector<int64_t> ids = framed(residues(records, row, ctx));
  if (options_.role == "sequence" || (options_.role == "mlm_input" && ctx.split == Split::predict))
    return {{"", torch::tensor(ids, torch::kLong)}};

  // Masked LM: choose positions among the residues with a stream both roles derive identically;
  // validation uses a fixed stream, so its loss is comparable across epochs.
  const int64_t first = options_.add_cls ? 1 : 0;
  const auto n_body = static_cast<int64_t>(ids.size()) - first - (options_.add_eos ? 1 : 0);
  const uint64_t base = ctx.split == Split::train && ctx.rng != nullptr ? ctx.rng->seed() : 0x5eedULL;
  Rng rng(mix_seed(mix_seed(base, static_cast<uint64_t>(row)), 0x6d6c6dULL));
  const int64_t n = n_body;
  std::vector<int64_t> chosen;
  for (int64_t i = 0; i < n; ++i)
    if (rng.bernoulli(options_.mask_prob)) chosen.push_back(first + i);
  if (chosen.empty()) chosen.push_back(first + rng.integer(0, n));  // every row teaches something
  if (options_.role == "mlm_target") {
    std::vector<int64_t> target(ids.size(), -100);
    for (auto p : chosen) target[static_cast<size_t>(p)] = ids[static_cast<size_t>(p)];
    return {{"", torch::tensor(target, torch::kLong)}};
  }
  const int64_t n_standard = vocab_.k == 1 ? 20 : vocab_.size() - 5;
  const int64_t first_standard = vocab_.k == 1 ? Alphabet::first_standard_id : 5;
  for (auto p : chosen) {
    const double u = rng.uniform();
    if (u < 0.8)
      ids[static_cast<size_t>(p)] = vocab_.mask_id();
    else if (u < 0.9)
      ids[static_cast<size_t>(p)] = first_standard + rng.integer(0, n_standard);
  }
  return {{"", torch::tensor(ids, torch::kLong)}};
}

TensorDict SequenceBlock::collate(const std::vector<TensorDict>& items) const {
  if (options_.role == "mlm_target") {
    auto padded = pad_ids(items, -100, "protein.mlm", -1);
    return {{"", padded.at("")}};
  }
  return pad_ids(items, vocab_.pad_id(), options_.role == "sequence" ? "protein.sequence" : "protein.mlm",
                 options_.pad_to_max ? fixed_length() : -1);
}

// A classifier's sequence: as many residues as another row of the split has (lengths shuffled, so
// length tells nothing); a masked-LM or tagging row keeps its own length, which its target aligns with.
std::vector<InputPart> SequenceBlock::parts(const Records&, size_t, const TensorDict& item) const {
  const torch::Tensor& ids = item.at("");
  const int64_t n = ids.size(0);
  const int64_t begin = n > 0 && ids[0].item<int64_t>() == vocab_.cls_id() ? 1 : 0;
  const int64_t end = n > begin && ids[n - 1].item<int64_t>() == vocab_.eos_id() ? n - 1 : n;
  std::vector<InputPart> parts = deleted_positions(item, "", begin, end);
  for (size_t i = 0; i < parts.size(); ++i) {
    const int64_t at = begin + static_cast<int64_t>(i);
    parts[i].name = vocab_.token(ids[at].item<int64_t>()) + std::to_string(at - begin + 1);
  }
  return parts;
}

std::string SequenceBlock::show(const Records&, size_t, const TensorDict& item) const {
  const torch::Tensor ids = item.at("").contiguous();
  std::string tokens;
  for (int64_t i = 0; i < ids.size(0); ++i) tokens += vocab_.token(ids[i].item<int64_t>()) + (vocab_.k > 1 ? " " : "");
  return "<code style=\"word-break:break-all\">" + xml_escape(tokens) + "</code>";
}

TensorDict SequenceBlock::noise(const Records& records, size_t row, const EncodeContext& encode_ctx,
                                const std::string& kind, const NoiseContext& ctx) const {
  if (options_.role != "sequence") return Block::noise(records, row, encode_ctx, kind, ctx);
  const size_t from = options_.pad_to_max ? row : ctx.shuffled_row(row, 0);
  const size_t n = residues(records, from, encode_ctx).size();
  Rng rng = ctx.rng(row);
  std::string random(n, 'A');
  for (auto& c : random) c = Alphabet::standard[rng.integer(0, 20)];
  return {{"", torch::tensor(framed(random), torch::kLong)}};
}

int64_t SequenceBlock::length(const Records& records, size_t row) const {
  const auto n = std::min<int64_t>(static_cast<int64_t>(records.at(row, options_.column).size()), options_.max_len);
  return n + (options_.add_cls ? 1 : 0) + (options_.add_eos ? 1 : 0);
}

json SequenceBlock::dims() const {
  return {{"vocab_size", vocab_.size()},
          {"pad_id", vocab_.pad_id()},
          {"cls_id", vocab_.cls_id()},
          {"eos_id", vocab_.eos_id()},
          {"unk_id", vocab_.unk_id()},
          {"mask_id", vocab_.mask_id()},
          {"kmer", vocab_.k},
          {"max_len", options_.max_len + (options_.add_cls ? 1 : 0) + (options_.add_eos ? 1 : 0)},
          {"alphabet", vocab_.k == 1 ? "esm-1b" : "kmer"},
          // A masked-LM target asks for a prediction at every residue, as protein.residue_labels does.
          {"per_residue", options_.role == "mlm_target"}};
}

json SequenceBlock::state() const {
  // Nothing is learned (the alphabet is fixed); the state records the tokenization so a model
  // loaded with state_from or from an export is checked against it.
  return {{"alphabet", vocab_.k == 1 ? "esm-1b" : "kmer"}, {"kmer", vocab_.k}, {"vocab_size", vocab_.size()}};
}

void SequenceBlock::load_state(const json& state) {
  if (!state.is_object() || state.value("kmer", int64_t{-1}) != vocab_.k)
    throw Error("protein.sequence: the saved state " + state.dump() + " was made with another tokenization than kmer " +
                std::to_string(vocab_.k) + "; use the same kmer option as the model it came from");
  random_on_train_ = options_.too_long == "crop";
}

std::string SequenceBlock::describe(const Records& records, size_t row) const {
  std::string s = records.at(row, options_.column);
  if (records.has_column("id")) s = records.at(row, "id") + " " + s;
  return s.size() > 200 ? s.substr(0, 200) + "..." : s;
}

json SequenceBlock::audit(const Records& records, const std::vector<size_t>& rows) const {
  std::vector<size_t> lengths;
  size_t residues = 0, non_standard = 0, with_non_standard = 0, cropped = 0;
  for (size_t r : rows) {
    size_t length = 0, odd = 0;
    for (char c : records.at(r, options_.column)) {
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '*') continue;  // spacing, stop codon
      ++length;
      const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      odd += Alphabet::standard_index(upper) < 0;
    }
    lengths.push_back(length);
    residues += length;
    non_standard += odd;
    with_non_standard += odd > 0;
    cropped += static_cast<int64_t>(length) > options_.max_len;
  }
  std::sort(lengths.begin(), lengths.end());
  auto at = [&](double q) { return lengths.empty() ? size_t{0} : lengths[static_cast<size_t>(q * double(lengths.size() - 1))]; };
  json stats = {{"sequences", rows.size()}, {"residues", residues}, {"non_standard_residues", non_standard},
                {"sequences_with_non_standard", with_non_standard}, {"longer_than_max_len", cropped},
                {"length", {{"min", at(0.0)}, {"p5", at(0.05)}, {"median", at(0.5)}, {"p95", at(0.95)}, {"max", at(1.0)}}}};
  json warnings = json::array(), notes = json::array();
  if (cropped * 10 > rows.size())
    warnings.push_back(std::to_string(cropped) + " of " + std::to_string(rows.size()) + " sequences are longer than " +
                       "max_len " + std::to_string(options_.max_len) + " and are cropped (too_long: " +
                       options_.too_long + ")");
  if (with_non_standard > 0)
    notes.push_back(std::to_string(with_non_standard) + " sequences hold " + std::to_string(non_standard) +
                    " non-standard residues (X, B, U, Z, O or other letters)");
  notes.push_back("sequence length: median " + std::to_string(at(0.5)) + ", 5-95% " + std::to_string(at(0.05)) + "-" +
                  std::to_string(at(0.95)) + ", longest " + std::to_string(at(1.0)));
  return {{"stats", stats}, {"warnings", warnings}, {"notes", notes}};
}

int64_t SequenceBlock::n_outputs() const {
  if (options_.role != "mlm_target")
    throw Error("protein.sequence: only protein.mlm with role \"target\" can be a recipe's target");
  return vocab_.size();
}

json SequenceBlock::decode(const torch::Tensor& output_row) const {
  auto best = output_row.to(torch::kFloat).argmax(-1).contiguous();
  std::string s;
  const auto* p = best.data_ptr<int64_t>();
  for (int64_t i = 0; i < best.numel(); ++i) {
    const auto t = vocab_.token(p[i]);
    s += t.size() == 1 || vocab_.k > 1 ? t : std::string("?");
  }
  return {{"tokens", s}};
}

// --- protein.residue_labels ---------------------------------------------------------------------

ResidueLabelBlock::ResidueLabelBlock(std::string column, std::string sequence_column, int64_t max_len, bool add_cls,
                                     bool add_eos)
    : column_(std::move(column)),
      sequence_column_(std::move(sequence_column)),
      max_len_(max_len),
      add_cls_(add_cls),
      add_eos_(add_eos) {}

OptionSchema ResidueLabelBlock::schema() {
  return {OptionSpec("column", OptionType::string, "labels", "one label character per residue, e.g. HHHEECC"),
          OptionSpec("sequence_column", OptionType::string, "sequence",
                     "the sequence column: lengths must match (empty: not checked)"),
          OptionSpec("max_len", OptionType::integer, 1022, "same as the protein.sequence input's max_len").min(1),
          OptionSpec("add_cls", OptionType::boolean, true, "same as the input's add_cls"),
          OptionSpec("add_eos", OptionType::boolean, true, "same as the input's add_eos")};
}

std::vector<std::string> ResidueLabelBlock::columns() const {
  if (sequence_column_.empty()) return {column_};
  return {column_, sequence_column_};
}

std::string ResidueLabelBlock::labels(const Records& records, size_t row) const {
  std::string out;
  for (char c : records.at(row, column_))
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  if (out.empty())
    throw DataError("protein.residue_labels: " + records.origin(row) + ": empty label string in column '" + column_ +
                    "'; give one label character per residue");
  if (!sequence_column_.empty()) {
    const auto seq = clean_sequence(records.at(row, sequence_column_), InvalidPolicy::error,
                                    "protein.residue_labels", records.origin(row));
    if (seq.size() != out.size())
      throw DataError("protein.residue_labels: " + records.origin(row) + ": " + std::to_string(out.size()) +
                      " labels for a sequence of " + std::to_string(seq.size()) +
                      " residues; give exactly one label character per residue");
  }
  return out;
}

void ResidueLabelBlock::setup(const Records& train) {
  std::set<char> seen;
  size_t longest = 0;
  for (size_t i = 0; i < train.size(); ++i) {
    auto l = labels(train, i);
    longest = std::max(longest, l.size());
    seen.insert(l.begin(), l.end());
  }
  vocab_.assign(seen.begin(), seen.end());
  random_on_train_ = static_cast<int64_t>(longest) > max_len_;
}

TensorDict ResidueLabelBlock::encode(const Records& records, size_t row, const EncodeContext& ctx) const {
  if (vocab_.empty()) throw Error("protein.residue_labels: encode before setup");
  auto l = labels(records, row);
  const auto n = static_cast<int64_t>(l.size());
  if (n > max_len_) l = l.substr(static_cast<size_t>(window_offset(n, max_len_, ctx, row)), static_cast<size_t>(max_len_));
  std::vector<int64_t> ids;
  if (add_cls_) ids.push_back(-100);
  for (size_t i = 0; i < l.size(); ++i) {
    const auto pos = vocab_.find(l[i]);
    if (pos == std::string::npos)
      throw DataError("protein.residue_labels: " + records.origin(row) + ": label '" + std::string(1, l[i]) +
                      "' at residue " + std::to_string(i + 1) + " was not seen in training (known: " + vocab_ +
                      "); fix the label or add such rows to the training data");
    ids.push_back(static_cast<int64_t>(pos));
  }
  if (add_eos_) ids.push_back(-100);
  return {{"", torch::tensor(ids, torch::kLong)}};
}

TensorDict ResidueLabelBlock::collate(const std::vector<TensorDict>& items) const {
  return {{"", pad_ids(items, -100, "protein.residue_labels",
                      max_len_ + (add_cls_ ? 1 : 0) + (add_eos_ ? 1 : 0)).at("")}};
}

json ResidueLabelBlock::dims() const {
  return {{"n_classes", static_cast<int64_t>(vocab_.size())}, {"per_residue", true}};
}
json ResidueLabelBlock::state() const { return {{"labels", vocab_}}; }
void ResidueLabelBlock::load_state(const json& state) {
  if (!state.is_object() || !state.contains("labels") || !state["labels"].is_string())
    throw Error("protein.residue_labels: bad saved state " + state.dump() + "; expected {\"labels\": \"...\"}");
  vocab_ = state["labels"].get<std::string>();
}

int64_t ResidueLabelBlock::n_outputs() const {
  if (vocab_.empty()) throw Error("protein.residue_labels: n_outputs before setup");
  return static_cast<int64_t>(vocab_.size());
}

std::vector<std::string> ResidueLabelBlock::classes() const {
  std::vector<std::string> out;
  for (char c : vocab_) out.emplace_back(1, c);
  return out;
}

json ResidueLabelBlock::decode(const torch::Tensor& output_row) const {
  auto logits = output_row.to(torch::kFloat);
  auto live = logits.ne(0).any(-1);  // rows past the end are all zero
  int64_t end = logits.size(0);
  while (end > 0 && !live[end - 1].item<bool>()) --end;
  int64_t begin = add_cls_ ? 1 : 0;
  if (add_eos_) --end;
  std::string out;
  if (end > begin) {
    auto best = logits.narrow(0, begin, end - begin).argmax(-1).contiguous();
    for (int64_t i = 0; i < best.numel(); ++i) out += vocab_[static_cast<size_t>(best[i].item<int64_t>())];
  }
  return {{"labels", out}};
}

void register_blocks(Registry& registry) {
  registry.add_block("protein.sequence",
                     "residues -> ESM token ids (<cls> ... <eos>), padded with a mask; optional k-mers",
                     SequenceBlock::schema(false),
                     [](const Options& o) { return std::make_shared<SequenceBlock>(SequenceBlock::parse(o, "sequence")); });
  registry.add_block("protein.mlm",
                     "masked-LM ids: role input (15% chosen, 80/10/10 mask/random/keep) or target (-100 elsewhere)",
                     SequenceBlock::schema(true), [](const Options& o) {
                       return std::make_shared<SequenceBlock>(
                           SequenceBlock::parse(o, o.string("role") == "target" ? "mlm_target" : "mlm_input"));
                     });
  registry.add_block("protein.residue_labels",
                     "one label character per residue -> class ids aligned with protein.sequence (tagging target)",
                     ResidueLabelBlock::schema(), [](const Options& o) {
                       return std::make_shared<ResidueLabelBlock>(o.string("column"), o.string("sequence_column"),
                                                                  o.integer("max_len"), o.boolean("add_cls"),
                                                                  o.boolean("add_eos"));
                     });
}

}  // namespace adapt::protein
