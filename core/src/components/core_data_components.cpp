// register_core_data: the core's readers, splitters, blocks and transforms with their option schemas.
#include <optional>

#include "adapt/data/category_block.h"
#include "adapt/data/gaussian_noise.h"
#include "adapt/data/multi_category_block.h"
#include "adapt/data/readers.h"
#include "adapt/data/regression_block.h"
#include "adapt/data/splitters.h"
#include "components/core_components.h"
#include "data/joined_reader.h"

namespace adapt {

namespace {

OptionSpec seed_spec() {
  return OptionSpec("seed", OptionType::integer, 42, "split seed (the recipe's seed unless given)").min(0);
}
OptionSpec valid_pct_spec() {
  return OptionSpec("valid_pct", OptionType::number, 0.2, "fraction of rows for validation, in [0, 1)").min(0).max(1);
}
OptionSpec test_pct_spec() {
  return OptionSpec("test_pct", OptionType::number, 0.0,
                    "fraction of rows held out as a test part, evaluated once after training; drawn "
                    "first, so its rows do not depend on valid_pct")
      .min(0)
      .max(1);
}

// valid_pct + test_pct must leave rows to train on.
void check_pcts(const Options& o) {
  const double valid = o.number("valid_pct"), test = o.number("test_pct");
  if (valid >= 1.0) throw o.error("valid_pct", "must be < 1, got " + std::to_string(valid));
  if (valid + test >= 1.0) {
    throw o.error("test_pct", "valid_pct + test_pct must be < 1, got " + std::to_string(valid) + " + " +
                                  std::to_string(test));
  }
}

// reader.join: the second table takes the first one's delimiter and quoting, and a header.
JoinOptions join_options(const Options& o, const CsvOptions& csv) {
  const json& join = o.raw("join");
  const std::string at = o.path() + ".join";
  for (const auto& [key, value] : join.items()) {
    const bool known = key == "path" || key == "on" || key == "columns" || key == "missing";
    if (!known) throw OptionError(at + "." + key + ": unknown key; join takes path, on, columns and missing");
    if (key != "columns" && !value.is_string()) throw OptionError(at + "." + key + ": must be a string, got " + value.dump());
  }
  JoinOptions j;
  j.path = join.value("path", "");
  j.on = join.value("on", "");
  const json columns = join.value("columns", json::array());
  if (!columns.is_array()) throw OptionError(at + ".columns: must be a list of column names, got " + columns.dump());
  for (const auto& c : columns) {
    if (!c.is_string()) throw OptionError(at + ".columns: must be a list of column names, got " + columns.dump());
    j.columns.push_back(c.get<std::string>());
  }
  const std::string missing = join.value("missing", "error");
  if (missing != "error" && missing != "empty")
    throw OptionError(at + ".missing: \"error\" (a key without a row stops the run) or \"empty\", got \"" + missing + "\"");
  j.missing_is_error = missing == "error";
  j.csv = CsvOptions().delimiter(csv.delimiter()).quote(csv.quote()).trim(csv.trim()).comment(csv.comment());
  return j;
}

uint64_t seed_of(const Options& o) { return static_cast<uint64_t>(o.integer("seed")); }

void register_readers(Registry& r) {
  r.add_reader(
      "core.folder", "folder-per-class files: label = parent folder; train/valid/test top folders give a split column",
      {OptionSpec("path", OptionType::string, nullptr, "root folder").required(),
       OptionSpec("extensions", OptionType::string_list, json::array(),
                  "file extensions to keep, e.g. [\".wav\"]; empty keeps every file"),
       OptionSpec("path_column", OptionType::string, "path", "column holding each file's path"),
       OptionSpec("label_column", OptionType::string, "label", "column holding the parent folder's name"),
       OptionSpec("split_column", OptionType::string, "split",
                  "column holding the top folder (train/valid/test) when that layout is used"),
       OptionSpec("split_folders", OptionType::string_list, json::array({"train", "valid", "test"}),
                  "top-level folder names of the split layout (train, valid, test)")},
      [](const Options& o) {
        FolderReaderOptions options(o.string("path"));
        options.extensions(o.strings("extensions"))
            .path_column(o.string("path_column"))
            .label_column(o.string("label_column"))
            .split_column(o.string("split_column"))
            .split_folders(o.strings("split_folders"));
        return std::make_shared<FolderReader>(std::move(options));
      });

  r.add_reader(
      "core.csv", "CSV/TSV table with a header row (quote-aware)",
      {OptionSpec("path", OptionType::string, nullptr, "the .csv/.tsv file").required(),
       OptionSpec("delimiter", OptionType::string, ",", "field separator: one character or \"tab\""),
       OptionSpec("header", OptionType::boolean, true, "the first line names the columns"),
       OptionSpec("column_names", OptionType::string_list, json::array(),
                  "column names when header is false (default \"0\", \"1\", ...)"),
       OptionSpec("columns", OptionType::string_list, json::array(), "keep only these columns (empty: all)"),
       OptionSpec("quote", OptionType::string, "\"", "quote character; \"\" reads quotes as ordinary text"),
       OptionSpec("trim", OptionType::boolean, false, "strip spaces around unquoted fields"),
       OptionSpec("comment", OptionType::string, "", "skip lines starting with this prefix (empty: none)"),
       OptionSpec("join", OptionType::object, nullptr,
                  "a second table joined by key: {\"path\", \"on\", \"columns\" (default all), \"missing\": "
                  "\"error\" or \"empty\"}, read with the same delimiter and quoting")},
      [](const Options& o) -> std::shared_ptr<Reader> {
        CsvOptions csv;
        csv.delimiter(parse_delimiter(o.string("delimiter"), o.path() + ".delimiter"))
            .header(o.boolean("header"))
            .column_names(o.strings("column_names"))
            .columns(o.strings("columns"))
            .trim(o.boolean("trim"))
            .comment(o.string("comment"));
        const std::string quote = o.string("quote");
        if (quote.size() > 1) throw o.error("quote", "must be one character or \"\", got \"" + quote + "\"");
        csv.quote(quote.empty() ? '\0' : quote[0]);
        if (csv.quote() != '\0' && csv.quote() == csv.delimiter()) {
          throw o.error("quote", "must differ from the delimiter");
        }
        auto reader = std::make_shared<CsvReader>(CsvReaderOptions(o.string("path")).csv(csv));
        if (!o.has("join")) return reader;
        return std::make_shared<JoinedReader>(reader, join_options(o, csv));
      });
}

void register_splitters(Registry& r) {
  r.add_splitter("core.random", "random valid_pct (and test_pct) of the rows, seeded",
                 {valid_pct_spec(), test_pct_spec(), seed_spec()}, [](const Options& o) {
                   check_pcts(o);
                   return std::make_shared<RandomSplitter>(o.number("valid_pct"), seed_of(o), o.number("test_pct"));
                 });
  r.add_splitter("core.stratified", "random split that keeps each label's proportion in every part",
                 {OptionSpec("column", OptionType::string, "label", "label column to stratify by"), valid_pct_spec(),
                  test_pct_spec(), seed_spec()},
                 [](const Options& o) {
                   check_pcts(o);
                   return std::make_shared<StratifiedSplitter>(o.string("column"), o.number("valid_pct"), seed_of(o),
                                                               o.number("test_pct"));
                 });
  r.add_splitter(
      "core.by_column", "a column says which part each row belongs to (is_valid, split, ...)",
      {OptionSpec("column", OptionType::string, "is_valid", "the column that names the part"),
       OptionSpec("train_values", OptionType::string_list, json::array({"train", "0", "false", "False", "FALSE"}),
                  "values meaning train"),
       OptionSpec("valid_values", OptionType::string_list,
                  json::array({"valid", "validation", "val", "1", "true", "True", "TRUE"}), "values meaning valid"),
       OptionSpec("test_values", OptionType::string_list, json::array({"test"}), "values meaning test")},
      [](const Options& o) {
        return std::make_shared<ColumnSplitter>(o.string("column"), o.strings("train_values"), o.strings("valid_values"),
                                                o.strings("test_values"), "core.by_column");
      });
  r.add_splitter("core.by_folder", "the train/valid/test top folders found by core.folder",
                 {OptionSpec("column", OptionType::string, "split", "the reader's split column"),
                  OptionSpec("train_values", OptionType::string_list, json::array({"train"}), "train folder names"),
                  OptionSpec("valid_values", OptionType::string_list, json::array({"valid"}), "valid folder names"),
                  OptionSpec("test_values", OptionType::string_list, json::array({"test"}), "test folder names")},
                 [](const Options& o) {
                   return std::make_shared<ColumnSplitter>(o.string("column"), o.strings("train_values"),
                                                           o.strings("valid_values"), o.strings("test_values"),
                                                           "core.by_folder");
                 });
  r.add_splitter(
      "core.index_files", "files list the valid (and test) rows, by 0-based index or by id",
      {OptionSpec("valid_file", OptionType::string, nullptr, "file with one row index (or id) per line").required(),
       OptionSpec("test_file", OptionType::string, "", "optional file listing the test rows"),
       OptionSpec("id_column", OptionType::string, "", "when set, the files list values of this column, not indices")},
      [](const Options& o) {
        return std::make_shared<IndexFileSplitter>(o.string("valid_file"), o.string("test_file"), o.string("id_column"));
      });
  r.add_splitter("core.grouped", "whole groups (speaker, user, ...) go to one part, against leakage; seeded",
                 {OptionSpec("column", OptionType::string, nullptr, "the group column").required(), valid_pct_spec(),
                  test_pct_spec(), seed_spec()},
                 [](const Options& o) {
                   check_pcts(o);
                   return std::make_shared<GroupedSplitter>(o.string("column"), o.number("valid_pct"), seed_of(o),
                                                            o.number("test_pct"));
                 });
}

void register_blocks(Registry& r) {
  r.add_block("core.category", "one categorical column <-> class index (vocabulary from train, sorted)",
              {OptionSpec("column", OptionType::string, nullptr, "the column holding the category").required(),
               OptionSpec("unseen", OptionType::string, "error",
                          "a value not seen in training: \"error\", or \"unknown\" to map it to \"#na#\"")
                   .choices({"error", "unknown"})},
              [](const Options& o) {
                return std::make_shared<CategoryBlock>(
                    CategoryBlockOptions(o.string("column")).unseen(o.string("unseen")));
              });
  r.add_block("core.multi_category", "several labels per row <-> multi-hot vector (BCE target)",
              {OptionSpec("column", OptionType::string, nullptr, "the column holding the labels").required(),
               OptionSpec("delimiter", OptionType::string, ";", "separates labels within a field (\"tab\" allowed)"),
               OptionSpec("threshold", OptionType::number, 0.5, "decode keeps labels with probability >= threshold")
                   .greater_than(0)
                   .max(1),
               OptionSpec("unseen", OptionType::string, "error",
                          "a label not seen in training: \"error\" or \"ignore\"")
                   .choices({"error", "ignore"})},
              [](const Options& o) {
                if (o.string("delimiter").empty()) throw o.error("delimiter", "must not be empty");
                if (o.number("threshold") >= 1.0) throw o.error("threshold", "must be < 1");
                return std::make_shared<MultiCategoryBlock>(MultiCategoryBlockOptions(o.string("column"))
                                                                .delimiter(o.string("delimiter"))
                                                                .threshold(o.number("threshold"))
                                                                .unseen(o.string("unseen")));
              });
  r.add_block(
      "core.regression", "numeric column(s) <-> float vector (MSE target, or numeric model input)",
      {OptionSpec("columns", OptionType::string_list, nullptr, "the numeric columns (or give \"column\")"),
       OptionSpec("column", OptionType::string, nullptr, "a single numeric column (or give \"columns\")"),
       OptionSpec("y_range", OptionType::number_list, nullptr,
                  "[low, high]: the target's range, for a scaled sigmoid on the model output"),
       OptionSpec("normalize", OptionType::boolean, false, "standardise with the training mean and std"),
       OptionSpec("missing", OptionType::string, "error", "an empty field: \"error\", or \"mean\" (training mean)")
           .choices({"error", "mean"})},
      [](const Options& o) {
        std::vector<std::string> columns;
        if (o.has("columns") == o.has("column")) {
          throw o.error("columns", "give exactly one of \"columns\" (a list) or \"column\" (one name)");
        }
        columns = o.has("columns") ? o.strings("columns") : std::vector<std::string>{o.string("column")};
        if (columns.empty()) throw o.error("columns", "must name at least one column");
        std::optional<std::pair<double, double>> y_range;
        if (o.has("y_range")) {
          const auto v = o.numbers("y_range");
          if (v.size() != 2 || !(v[0] < v[1])) {
            throw o.error("y_range", "must be [low, high] with low < high, got " + o.raw("y_range").dump());
          }
          y_range = std::make_pair(v[0], v[1]);
        }
        return std::make_shared<RegressionBlock>(RegressionBlockOptions(columns)
                                                     .y_range(y_range)
                                                     .normalize(o.boolean("normalize"))
                                                     .missing(o.string("missing")));
      });
}

void register_transforms(Registry& r) {
  r.add_transform("core.gaussian_noise", "adds N(0, std^2) noise to a float tensor of each training item",
                  {OptionSpec("key", OptionType::string, "x", "the tensor to perturb"),
                   OptionSpec("std", OptionType::number, 0.1, "noise standard deviation").min(0),
                   OptionSpec("p", OptionType::number, 0.5, "probability per item").min(0).max(1)},
                  [](const Options& o) {
                    return std::make_shared<GaussianNoise>(o.string("key"), o.number("std"), o.number("p"));
                  });
}

}  // namespace

void register_core_data(Registry& registry) {
  register_readers(registry);
  register_splitters(registry);
  register_blocks(registry);
  register_transforms(registry);
}

}  // namespace adapt
