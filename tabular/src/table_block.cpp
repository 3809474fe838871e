#include "table_block.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <unordered_set>

#include "adapt/report/plot.h"
#include "register.h"
#include "values.h"

namespace adapt::tabular {

namespace {

constexpr const char* kMissingCategory = "#na#";

// fastai's add_datepart fields, in output order; `categorical` ones get embeddings.
struct DatePart {
  const char* name;
  bool categorical;
};
const std::vector<DatePart>& date_parts() {
  static const std::vector<DatePart> parts{
      {"Year", false},          {"Month", true},           {"Week", true},
      {"Day", true},            {"Dayofweek", true},       {"Dayofyear", false},
      {"Is_month_end", true},   {"Is_month_start", true},  {"Is_quarter_end", true},
      {"Is_quarter_start", true}, {"Is_year_end", true},   {"Is_year_start", true},
      {"Elapsed", false}};
  return parts;
}

int64_t date_part_value(const Date& d, int part) {
  const bool month_end = d.day == days_in_month(d.year, d.month);
  switch (part) {
    case 0: return d.year;
    case 1: return d.month;
    case 2: return iso_week(d);
    case 3: return d.day;
    case 4: return day_of_week(d);
    case 5: return day_of_year(d);
    case 6: return month_end;
    case 7: return d.day == 1;
    case 8: return month_end && d.month % 3 == 0;
    case 9: return d.day == 1 && d.month % 3 == 1;
    case 10: return d.month == 12 && d.day == 31;
    case 11: return d.month == 1 && d.day == 1;
    default: return days_from_civil(d);
  }
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Median like pandas: the mean of the two middle values for an even count; 0 for no values.
double median_of(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  double m = values[mid];
  if (values.size() % 2 == 0) m = (m + *std::max_element(values.begin(), values.begin() + mid)) / 2.0;
  return m;
}

double signed_log1p(double v) { return v < 0 ? -std::log1p(-v) : std::log1p(v); }

}  // namespace

int64_t embedding_size_rule(int64_t cardinality) {
  return std::min<int64_t>(600, std::llround(1.6 * std::pow(static_cast<double>(cardinality), 0.56)));
}

OptionSchema table_block_schema() {
  return {
      OptionSpec("cat_names", OptionType::string_list, json::array(),
                 "categorical columns; with cont_names empty too, kinds are inferred from the training rows"),
      OptionSpec("cont_names", OptionType::string_list, json::array(), "continuous columns"),
      OptionSpec("date_names", OptionType::string_list, json::array(),
                 "date columns (YYYY-MM-DD) expanded into Year, Month, Week, Day, Dayofweek, ..., Elapsed"),
      OptionSpec("exclude", OptionType::string_list, json::array(),
                 "columns never used as inputs when kinds are inferred: name the target and any split column"),
      OptionSpec("max_card", OptionType::integer, 20,
                 "inference: an integer column with more distinct values than this is continuous")
          .min(1),
      OptionSpec("min_freq", OptionType::integer, 1,
                 "categories seen fewer times than this in training fold into code 0 (missing/unseen)")
          .min(1),
      OptionSpec("missing_values", OptionType::string_list, default_missing_values(),
                 "raw values read as missing (after trimming spaces)"),
      OptionSpec("add_na_indicators", OptionType::boolean, true,
                 "add a '<column>_na' categorical flag for continuous columns with gaps in training"),
      OptionSpec("normalize", OptionType::boolean, true, "standardise continuous columns with training mean/std"),
      OptionSpec("log_names", OptionType::string_list, json::array(),
                 "continuous columns transformed with sign(v) * log1p(|v|) before filling and normalising "
                 "(heavy tails such as capital gains)"),
  };
}

struct TableBlock::ColumnIndex {
  std::vector<size_t> position;  // per inputs_ entry: the Records column index
};

TableBlock::TableBlock(const Options& options)
    : cat_names_(options.strings("cat_names")),
      cont_names_(options.strings("cont_names")),
      date_names_(options.strings("date_names")),
      exclude_(options.strings("exclude")),
      missing_(options.strings("missing_values")),
      log_names_(options.strings("log_names")),
      max_card_(options.integer("max_card")),
      min_freq_(options.integer("min_freq")),
      add_na_(options.boolean("add_na_indicators")),
      normalize_(options.boolean("normalize")) {
  // A column may be categorical and continuous at once, but not twice in one list, and a date
  // column is only a date.
  for (const auto& [list, key] : {std::pair{&cat_names_, "cat_names"}, std::pair{&cont_names_, "cont_names"},
                                  std::pair{&date_names_, "date_names"}}) {
    std::set<std::string> seen;
    for (const auto& name : *list) {
      if (!seen.insert(name).second) {
        throw options.error(key, fmt::format("column '{}' is listed twice; list it once", name));
      }
      if (list != &date_names_ && std::count(date_names_.begin(), date_names_.end(), name)) {
        throw options.error(key, fmt::format("column '{}' is also in date_names; a date column is expanded into "
                                             "its parts, so list it only there",
                                             name));
      }
    }
  }
  for (const auto& name : log_names_) {
    if (!cont_names_.empty() && !std::count(cont_names_.begin(), cont_names_.end(), name)) {
      throw options.error("log_names", fmt::format("'{}' is not in cont_names; only continuous columns can be "
                                                   "log-transformed",
                                                   name));
    }
  }
}

std::vector<std::string> TableBlock::columns() const {
  if (fitted_) return inputs_;
  std::vector<std::string> out = cat_names_;
  out.insert(out.end(), cont_names_.begin(), cont_names_.end());
  out.insert(out.end(), date_names_.begin(), date_names_.end());
  return out;
}

void TableBlock::require_fitted(const char* what) const {
  if (!fitted_) {
    throw Error(fmt::format("tabular.table: {} before setup() or load_state(); fit the block on the "
                            "training rows first",
                            what));
  }
}

void TableBlock::setup(const Records& train) {
  if (train.empty()) throw DataError("tabular.table: no training rows in '" + train.source() + "'");
  const auto require_column = [&](const std::string& name, const char* option) {
    if (!train.has_column(name)) {
      throw DataError(fmt::format("tabular.table: {} names column '{}', which '{}' does not have (columns: {})",
                                  option, name, train.source(), join(train.column_names())));
    }
  };
  for (const auto& n : cat_names_) require_column(n, "cat_names");
  for (const auto& n : cont_names_) require_column(n, "cont_names");
  for (const auto& n : date_names_) require_column(n, "date_names");
  for (const auto& n : exclude_) require_column(n, "exclude");

  std::vector<std::string> cats = cat_names_, conts = cont_names_;
  if (cats.empty() && conts.empty()) {
    // fastai's cont_cat_split: floats and many-valued integers are continuous, the rest categorical.
    for (const auto& name : train.column_names()) {
      if (std::count(exclude_.begin(), exclude_.end(), name) ||
          std::count(date_names_.begin(), date_names_.end(), name)) {
        continue;
      }
      const auto& values = train.column(name);
      bool numeric = true, integral = true;
      std::unordered_set<std::string> distinct;
      size_t present = 0;
      for (const auto& raw : values) {
        if (is_missing(raw, missing_)) continue;
        ++present;
        if (numeric) {
          const auto number = parse_number(raw);
          if (!number) numeric = false;
          else if (!is_integral(*number)) integral = false;
        }
        if (distinct.size() <= static_cast<size_t>(max_card_)) distinct.emplace(trim(raw));
      }
      const bool continuous =
          present > 0 && numeric && (!integral || distinct.size() > static_cast<size_t>(max_card_));
      (continuous ? conts : cats).push_back(name);
    }
  }

  cats_.clear();
  conts_.clear();
  dates_ = date_names_;
  inputs_.clear();
  const auto input_of = [&](const std::string& column) {
    auto it = std::find(inputs_.begin(), inputs_.end(), column);
    if (it == inputs_.end()) inputs_.push_back(column);
  };

  for (const auto& name : cats) {
    input_of(name);
    cats_.push_back(CatFeature{name, name, Source::column, 0, {}, {}});
  }
  for (const auto& name : conts) {
    input_of(name);
    ContFeature f{name, name, Source::column, 0};
    f.log = std::count(log_names_.begin(), log_names_.end(), name) > 0;
    conts_.push_back(f);
  }
  for (const auto& name : dates_) {
    input_of(name);
    for (size_t p = 0; p < date_parts().size(); ++p) {
      const std::string part_name = name + "_" + date_parts()[p].name;
      if (date_parts()[p].categorical) cats_.push_back(CatFeature{part_name, name, Source::date_part, int(p), {}, {}});
      else conts_.push_back(ContFeature{part_name, name, Source::date_part, int(p)});
    }
  }
  build_features(train);
}

void TableBlock::build_features(const Records& train) {
  const size_t n = train.size();
  // Dates, parsed once per row (nullopt when missing).
  std::unordered_map<std::string, std::vector<std::optional<Date>>> parsed_dates;
  std::vector<std::string> dates_with_gaps;
  for (const auto& name : dates_) {
    auto& parsed = parsed_dates[name];
    parsed.resize(n);
    const auto& values = train.column(name);
    bool gaps = false;
    for (size_t r = 0; r < n; ++r) {
      if (is_missing(values[r], missing_)) {
        gaps = true;
        continue;
      }
      parsed[r] = parse_date(values[r]);
      if (!parsed[r]) {
        throw DataError(fmt::format("tabular.table: {} column '{}': '{}' is not a date (YYYY-MM-DD); fix it, "
                                    "add it to missing_values, or remove the column from date_names",
                                    train.origin(r), name, values[r]));
      }
    }
    if (gaps) dates_with_gaps.push_back(name);
  }

  std::vector<CatFeature> flags;
  for (auto& f : conts_) {
    std::vector<double> values(n, std::numeric_limits<double>::quiet_NaN());
    bool gaps = false;
    if (f.source == Source::column) {
      const auto& raw = train.column(f.column);
      for (size_t r = 0; r < n; ++r) {
        if (is_missing(raw[r], missing_)) {
          gaps = true;
          continue;
        }
        const auto number = parse_number(raw[r]);
        if (!number) {
          throw DataError(fmt::format("tabular.table: {} column '{}': '{}' is not a number; fix the value, add it "
                                      "to missing_values, or declare the column in cat_names",
                                      train.origin(r), f.column, raw[r]));
        }
        values[r] = f.log ? signed_log1p(*number) : *number;
      }
      if (gaps && add_na_) flags.push_back(CatFeature{f.name + "_na", f.column, Source::na_flag, 0, {}, {}});
    } else {
      const auto& parsed = parsed_dates[f.column];
      for (size_t r = 0; r < n; ++r)
        if (parsed[r]) values[r] = static_cast<double>(date_part_value(*parsed[r], f.part));
    }
    std::vector<double> present;
    present.reserve(n);
    for (double v : values)
      if (!std::isnan(v)) present.push_back(v);
    f.median = median_of(present);
    double sum = 0, sum_sq = 0;
    for (double& v : values) {
      if (std::isnan(v)) v = f.median;
      sum += v;
    }
    f.mean = sum / static_cast<double>(n);
    for (double v : values) sum_sq += (v - f.mean) * (v - f.mean);
    f.std = n > 1 ? std::sqrt(sum_sq / static_cast<double>(n - 1)) : 0.0;
    if (!(f.std > 1e-7)) f.std = 1.0;  // constant column: centre only
    if (!normalize_) {
      f.mean = 0.0;
      f.std = 1.0;
    }
  }
  if (add_na_) {
    for (const auto& d : dates_with_gaps) flags.push_back(CatFeature{d + "_na", d, Source::na_flag, 0, {}, {}});
  }
  for (auto& flag : flags) {
    flag.vocab = {kMissingCategory, "False", "True"};
    cats_.push_back(std::move(flag));
  }

  for (auto& f : cats_) {
    if (f.source == Source::na_flag) continue;
    std::unordered_map<std::string, int64_t> counts;
    if (f.source == Source::column) {
      for (const auto& raw : train.column(f.column))
        if (!is_missing(raw, missing_)) ++counts[std::string(trim(raw))];
    } else {
      for (const auto& d : parsed_dates[f.column])
        if (d) ++counts[std::to_string(date_part_value(*d, f.part))];
    }
    std::vector<std::string> kept;
    bool numeric = true;
    for (const auto& [value, count] : counts) {
      if (count < min_freq_) continue;
      kept.push_back(value);
      numeric = numeric && parse_number(value).has_value();
    }
    // Numbers in numeric order, strings alphabetically: stable codes, readable exports.
    if (numeric) {
      std::sort(kept.begin(), kept.end(),
                [](const std::string& a, const std::string& b) { return *parse_number(a) < *parse_number(b); });
    } else {
      std::sort(kept.begin(), kept.end());
    }
    f.vocab = {kMissingCategory};
    f.vocab.insert(f.vocab.end(), kept.begin(), kept.end());
  }
  fitted_ = true;
  rebuild_codes();
}

void TableBlock::rebuild_codes() {
  cat_names_out_.clear();
  cont_names_out_.clear();
  const auto locate = [&](const std::string& column, size_t& input, int& date) {
    auto it = std::find(inputs_.begin(), inputs_.end(), column);
    if (it == inputs_.end()) throw DataError("tabular.table: saved state names feature column '" + column +
                                             "' that is not among its inputs; re-export the model");
    input = static_cast<size_t>(it - inputs_.begin());
    auto d = std::find(dates_.begin(), dates_.end(), column);
    date = d == dates_.end() ? -1 : static_cast<int>(d - dates_.begin());
  };
  for (auto& f : cats_) locate(f.column, f.input, f.date);
  for (auto& f : conts_) locate(f.column, f.input, f.date);
  date_inputs_.clear();
  for (const auto& d : dates_) date_inputs_.push_back(std::find(inputs_.begin(), inputs_.end(), d) - inputs_.begin());
  for (auto& f : cats_) {
    f.codes.clear();
    for (size_t i = 1; i < f.vocab.size(); ++i) f.codes.emplace(f.vocab[i], static_cast<int64_t>(i));
    cat_names_out_.push_back(f.name);
  }
  for (const auto& f : conts_) cont_names_out_.push_back(f.name);
}

TableBlock::ColumnIndex TableBlock::resolve(const Records& records) const {
  ColumnIndex index;
  for (const auto& name : inputs_) {
    if (!records.has_column(name)) {
      throw DataError(fmt::format("tabular.table: column '{}' is missing from '{}' (it has: {}); every column the "
                                  "model was trained on must be present: give an empty value where it is unknown "
                                  "and it is treated as missing",
                                  name, records.source(), join(records.column_names())));
    }
    index.position.push_back(records.column_index(name));
  }
  return index;
}

void TableBlock::encode_row(const Records& records, const ColumnIndex& index, const std::vector<size_t>& from,
                            int64_t* cat, float* cont) const {
  auto at = [&](size_t input) -> const std::string& { return records.at(from[input], index.position[input]); };
  // Dates are parsed once per row.
  std::vector<std::optional<Date>> dates(dates_.size());
  for (size_t d = 0; d < dates_.size(); ++d) {
    const std::string& raw = at(date_inputs_[d]);
    if (is_missing(raw, missing_)) continue;
    dates[d] = parse_date(raw);
    if (!dates[d]) {
      throw DataError(fmt::format("tabular.table: {} column '{}': '{}' is not a date (YYYY-MM-DD); fix it or "
                                  "leave it empty to treat it as missing",
                                  records.origin(from[date_inputs_[d]]), dates_[d], raw));
    }
  }

  for (size_t i = 0; i < cats_.size(); ++i) {
    const CatFeature& f = cats_[i];
    int64_t code = 0;
    if (f.source == Source::column) {
      const std::string& raw = at(f.input);
      if (!is_missing(raw, missing_)) {
        auto it = f.codes.find(std::string(trim(raw)));
        if (it != f.codes.end()) code = it->second;  // unseen: 0, like a missing value
      }
    } else if (f.source == Source::date_part) {
      const auto& d = dates[f.date];
      if (d) {
        auto it = f.codes.find(std::to_string(date_part_value(*d, f.part)));
        if (it != f.codes.end()) code = it->second;
      }
    } else {
      const bool gap = f.date >= 0 ? !dates[f.date].has_value()
                                   : is_missing(at(f.input), missing_);
      code = gap ? 2 : 1;
    }
    cat[i] = code;
  }
  for (size_t i = 0; i < conts_.size(); ++i) {
    const ContFeature& f = conts_[i];
    double value = f.median;
    if (f.source == Source::column) {
      const std::string& raw = at(f.input);
      if (!is_missing(raw, missing_)) {
        const auto number = parse_number(raw);
        if (!number) {
          throw DataError(fmt::format("tabular.table: {} column '{}': '{}' is not a number; fix the value or leave "
                                      "it empty (missing values are filled with the training median {})",
                                      records.origin(from[f.input]), f.column, raw, f.median));
        }
        value = f.log ? signed_log1p(*number) : *number;
      }
    } else {
      const auto& d = dates[f.date];
      if (d) value = static_cast<double>(date_part_value(*d, f.part));
    }
    cont[i] = static_cast<float>((value - f.mean) / f.std);
  }
}

TensorDict TableBlock::encode(const Records& records, size_t row, const EncodeContext&) const {
  require_fitted("encode()");
  return encode_from(records, resolve(records), std::vector<size_t>(inputs_.size(), row));
}
TensorDict TableBlock::encode_from(const Records& records, const ColumnIndex& index,
                                   const std::vector<size_t>& from) const {
  auto cat = torch::empty({static_cast<int64_t>(cats_.size())}, torch::kInt64);
  auto cont = torch::empty({static_cast<int64_t>(conts_.size())}, torch::kFloat32);
  encode_row(records, index, from, cat.data_ptr<int64_t>(), cont.data_ptr<float>());
  return {{"cat", cat}, {"cont", cont}, {"missing", torch::tensor(blank_row(records, index, from))}};
}

bool TableBlock::blank_row(const Records& records, const ColumnIndex& index, const std::vector<size_t>& from) const {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (!is_missing(records.at(from[i], index.position[i]), missing_)) return false;
  return true;
}

std::optional<TensorDict> TableBlock::encode_batch(const Records& records, const std::vector<size_t>& rows,
                                                   const EncodeContext&) const {
  torch::Tensor cat, cont, missing;
  encode_rows(records, rows, cat, cont, &missing);
  return TensorDict{{"cat", std::move(cat)}, {"cont", std::move(cont)}, {"missing", std::move(missing)}};
}

// Each raw column (with its date parts and gap flag) read from its own shuffle of the split's rows.
TensorDict TableBlock::noise(const Records& records, size_t row, const EncodeContext&, const std::string&,
                             const NoiseContext& ctx) const {
  require_fitted("noise()");
  std::vector<size_t> from(inputs_.size());
  for (size_t i = 0; i < from.size(); ++i) from[i] = ctx.shuffled_row(row, i);
  return encode_from(records, resolve(records), from);
}

void TableBlock::encode_rows(const Records& records, const std::vector<size_t>& rows, torch::Tensor& cat,
                             torch::Tensor& cont, torch::Tensor* missing) const {
  require_fitted("encode_rows()");
  const ColumnIndex index = resolve(records);
  const auto n = static_cast<int64_t>(rows.size());
  cat = torch::empty({n, static_cast<int64_t>(cats_.size())}, torch::kInt64);
  cont = torch::empty({n, static_cast<int64_t>(conts_.size())}, torch::kFloat32);
  int64_t* c = cat.data_ptr<int64_t>();
  float* x = cont.data_ptr<float>();
  bool* blank = nullptr;
  if (missing) {
    *missing = torch::empty({n}, torch::kBool);
    blank = missing->data_ptr<bool>();
  }
  std::vector<size_t> from(inputs_.size());
  for (int64_t i = 0; i < n; ++i) {
    std::fill(from.begin(), from.end(), rows[i]);
    encode_row(records, index, from, c + i * cats_.size(), x + i * conts_.size());
    if (blank) blank[i] = blank_row(records, index, from);
  }
}

std::vector<int64_t> TableBlock::cardinalities() const {
  std::vector<int64_t> out;
  for (const auto& f : cats_) out.push_back(static_cast<int64_t>(f.vocab.size()));
  return out;
}

std::vector<InputPart> TableBlock::parts(const Records& records, size_t row, const TensorDict& item) const {
  require_fitted("parts");
  std::vector<InputPart> parts;
  for (const auto& column : inputs_) {
    InputPart part{column + "=" + (records.has_column(column) ? records.at(row, column) : std::string()), item};
    torch::Tensor cat = item.at("cat").clone(), cont = item.at("cont").clone();
    for (size_t i = 0; i < cats_.size(); ++i)
      if (cats_[i].column == column) cat[static_cast<int64_t>(i)] = 0;
    for (size_t i = 0; i < conts_.size(); ++i)
      if (conts_[i].column == column) cont[static_cast<int64_t>(i)] = (conts_[i].median - conts_[i].mean) / conts_[i].std;
    part.without["cat"] = cat, part.without["cont"] = cont;
    parts.push_back(std::move(part));
  }
  return parts;
}

std::string TableBlock::show(const Records&, size_t, const TensorDict& item) const {
  require_fitted("show");
  std::string head, cells;
  const torch::Tensor cat = item.at("cat"), cont = item.at("cont");
  for (size_t i = 0; i < cats_.size(); ++i) {
    const auto code = static_cast<size_t>(cat[static_cast<int64_t>(i)].item<int64_t>());
    head += "<th>" + xml_escape(cats_[i].name) + "</th>";
    cells += "<td>" + xml_escape(code < cats_[i].vocab.size() ? cats_[i].vocab[code] : "?") + "</td>";
  }
  for (size_t i = 0; i < conts_.size(); ++i) {
    head += "<th>" + xml_escape(conts_[i].name) + "</th>";
    cells += fmt::format("<td>{:.3f}</td>", cont[static_cast<int64_t>(i)].item<double>());
  }
  return "<table><tr>" + head + "</tr><tr>" + cells + "</tr></table>";
}

std::vector<std::string> TableBlock::cat_sources() const {
  std::vector<std::string> out;
  for (const auto& f : cats_) out.push_back(f.column);
  return out;
}

std::vector<std::string> TableBlock::cont_sources() const {
  std::vector<std::string> out;
  for (const auto& f : conts_) out.push_back(f.column);
  return out;
}

json TableBlock::dims() const {
  require_fitted("dims()");
  json emb = json::array();
  for (int64_t c : cardinalities()) emb.push_back(embedding_size_rule(c));
  return {{"n_cat", cats_.size()},          {"n_cont", conts_.size()},
          {"cat_names", cat_names_out_},    {"cont_names", cont_names_out_},
          {"cardinalities", cardinalities()}, {"embedding_sizes", emb}};
}

namespace {
const char* source_name(int source) {
  static const char* names[] = {"column", "date_part", "na_flag"};
  return names[source];
}
int source_from(const std::string& name) {
  for (int i = 0; i < 3; ++i)
    if (name == source_name(i)) return i;
  throw DataError("tabular.table: unknown feature source '" + name + "' in saved state; re-export the model");
}
}  // namespace

json TableBlock::state() const {
  require_fitted("state()");
  json cats = json::array(), conts = json::array();
  for (const auto& f : cats_) {
    cats.push_back({{"name", f.name},
                    {"column", f.column},
                    {"source", source_name(static_cast<int>(f.source))},
                    {"part", f.part},
                    {"vocab", f.vocab}});
  }
  for (const auto& f : conts_) {
    conts.push_back({{"name", f.name},
                     {"column", f.column},
                     {"source", source_name(static_cast<int>(f.source))},
                     {"part", f.part},
                     {"median", f.median},
                     {"log", f.log},
                     {"mean", f.mean},
                     {"std", f.std}});
  }
  return {{"version", 1}, {"inputs", inputs_}, {"dates", dates_}, {"missing_values", missing_},
          {"cats", cats},  {"conts", conts}};
}

void TableBlock::load_state(const json& state) {
  try {
    if (state.at("version").get<int>() != 1) {
      throw DataError("tabular.table: saved state version " + state.at("version").dump() +
                      " is newer than this plugin understands; update the tabular plugin");
    }
    inputs_ = state.at("inputs").get<std::vector<std::string>>();
    dates_ = state.at("dates").get<std::vector<std::string>>();
    missing_ = state.at("missing_values").get<std::vector<std::string>>();
    cats_.clear();
    conts_.clear();
    for (const auto& c : state.at("cats")) {
      CatFeature f;
      f.name = c.at("name").get<std::string>();
      f.column = c.at("column").get<std::string>();
      f.source = static_cast<Source>(source_from(c.at("source").get<std::string>()));
      f.part = c.at("part").get<int>();
      f.vocab = c.at("vocab").get<std::vector<std::string>>();
      cats_.push_back(std::move(f));
    }
    for (const auto& c : state.at("conts")) {
      ContFeature f;
      f.name = c.at("name").get<std::string>();
      f.column = c.at("column").get<std::string>();
      f.source = static_cast<Source>(source_from(c.at("source").get<std::string>()));
      f.part = c.at("part").get<int>();
      f.median = c.at("median").get<double>();
      f.mean = c.at("mean").get<double>();
      f.std = c.at("std").get<double>();
      f.log = c.value("log", false);
      conts_.push_back(std::move(f));
    }
  } catch (const json::exception& e) {
    throw DataError(std::string("tabular.table: saved state is malformed (") + e.what() +
                    "); re-export the model with this plugin version");
  }
  fitted_ = true;
  rebuild_codes();
}

std::string TableBlock::describe(const Records& records, size_t row) const {
  std::string out;
  for (const auto& name : fitted_ ? inputs_ : columns()) {
    if (!records.has_column(name)) continue;
    out += (out.empty() ? "" : ", ") + name + "=" + std::string(trim(records.at(row, name)));
  }
  return out;
}

json TableBlock::audit(const Records& records, const std::vector<size_t>& rows) const {
  json stats = json::object(), warnings = json::array(), notes = json::array();
  std::set<std::string> done;
  auto distinct = [&](const std::string& name) {
    std::unordered_set<std::string> values;
    for (size_t r : rows) values.insert(std::string(trim(records.at(r, name))));
    return values.size();
  };
  for (const bool categorical : {true, false}) {
    for (const auto& name : categorical ? cat_sources() : cont_sources()) {
      if (!records.has_column(name) || !done.insert(name).second) continue;
      const size_t n = distinct(name);
      stats[name] = {{"kind", categorical ? "categorical" : "continuous"}, {"distinct", n}};
      if (n <= 1 && rows.size() > 1)
        warnings.push_back(fmt::format("column \"{}\" is constant in these {} rows; it carries no information",
                                       name, rows.size()));
      else if (categorical && n > 100 && n * 2 > rows.size())
        warnings.push_back(fmt::format("categorical column \"{}\" has {} distinct values in {} rows: an identifier "
                                       "rather than a category (embeddings of it learn little; drop it or make it "
                                       "continuous)",
                                       name, n, rows.size()));
      else if (categorical && n > 50)
        notes.push_back(fmt::format("categorical column \"{}\" has {} distinct values", name, n));
    }
  }
  return {{"stats", stats}, {"warnings", warnings}, {"notes", notes}};
}

void register_blocks(Registry& registry) {
  registry.add_block("tabular.table",
                     "table columns -> x.cat codes + x.cont values (Categorify, FillMissing, Normalize, date parts)",
                     table_block_schema(), [](const Options& o) { return std::make_shared<TableBlock>(o); });
}

}  // namespace adapt::tabular
