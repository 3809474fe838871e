// protein.fasta and protein.csv: sequences from FASTA files (labels from headers, file names or a CSV
// keyed by id; splits from file names) or from a table column. Both read command-line inputs as FASTA
// files or raw sequences, so `adapt predict` and `adapt embed` take either.
#include <algorithm>
#include <filesystem>
#include <regex>
#include <unordered_map>

#include "adapt/data/csv.h"
#include "fasta.h"
#include "register.h"

namespace fs = std::filesystem;

namespace adapt::protein {
namespace {

std::regex compile(const std::string& pattern, const std::string& path) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw OptionError(path + ": invalid regular expression \"" + pattern + "\": " + e.what());
  }
}

// First capture group of `pattern` in `text` (the whole match when the pattern has no group).
bool capture(const std::regex& pattern, const std::string& text, std::string& out) {
  std::smatch m;
  if (!std::regex_search(text, m, pattern)) return false;
  out = m.size() > 1 ? m[1].str() : m[0].str();
  return true;
}

// Command-line inputs: an existing file is read as FASTA (or as a table by `table`), anything else is
// one raw sequence.
template <typename Table>
Records read_inputs_impl(const std::vector<std::string>& inputs, const std::string& column, InvalidPolicy policy,
                         const std::string& component, Table table) {
  Records out({"id", column}, "command-line inputs");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& input = inputs[i];
    std::error_code ec;
    if (fs::is_regular_file(input, ec)) {
      const auto ext = fs::path(input).extension().string();
      if (ext == ".csv" || ext == ".tsv") {
        table(input, out);
        continue;
      }
      for (auto& r : parse_fasta(read_text_file(input, component), input, policy, component))
        out.add_row({r.id, r.sequence}, input + ":" + std::to_string(r.line));
      continue;
    }
    if (input.find('/') != std::string::npos || input.rfind(".fa") != std::string::npos)
      throw DataError(component + ": input " + std::to_string(i + 1) + ": no such file '" + input +
                      "'; give a FASTA file or a raw amino-acid sequence");
    // Named by itself, as a raw text is: a position would restart at 1 when `adapt predict` reads a
    // failed chunk's inputs one at a time.
    const std::string where = "input " + std::to_string(i + 1);
    out.add_row({input, clean_sequence(input, policy, component, where)}, where);
  }
  return out;
}

class FastaReader : public Reader {
 public:
  explicit FastaReader(const Options& o)
      : path_(o.string("path")),
        file_pattern_(o.string("file_pattern")),
        label_from_(o.string("label_from")),
        label_pattern_(o.string("label_pattern")),
        labels_csv_(o.string("labels_csv")),
        labels_id_column_(o.string("labels_id_column")),
        labels_label_column_(o.string("labels_label_column")),
        label_column_(o.string("label_column")),
        split_pattern_(o.string("split_pattern")),
        missing_label_(o.string("missing_label")),
        duplicate_ids_(o.string("duplicate_ids")),
        policy_(parse_invalid_policy(o.string("invalid"), o.path() + ".invalid")) {
    if (label_pattern_.empty()) label_pattern_ = label_from_ == "file" ? "^([^.]+)" : "label=([^\\s|;]+)";
    compile(label_pattern_, o.path() + ".label_pattern");
    compile(file_pattern_, o.path() + ".file_pattern");
    if (!split_pattern_.empty()) compile(split_pattern_, o.path() + ".split_pattern");
    if (label_from_ == "csv" && labels_csv_.empty())
      throw o.error("labels_csv", "label_from \"csv\" needs labels_csv, the CSV file with id and label columns");
  }

  Records read() const override {
    const std::string component = "protein.fasta";
    std::vector<std::string> files;
    std::error_code ec;
    if (fs::is_directory(path_, ec)) {
      const auto pattern = compile(file_pattern_, "reader.file_pattern");
      for (const auto& entry : fs::directory_iterator(path_))
        if (entry.is_regular_file() && std::regex_search(entry.path().filename().string(), pattern))
          files.push_back(entry.path().string());
      std::sort(files.begin(), files.end());
      if (files.empty())
        throw DataError(component + ": no file in '" + path_ + "' matches file_pattern \"" + file_pattern_ +
                        "\"; check the path or the pattern");
    } else {
      files.push_back(path_);
    }
    std::unordered_map<std::string, std::string> csv_labels;
    if (label_from_ == "csv") {
      Records table = read_csv_file(labels_csv_);
      const auto& ids = table.column(labels_id_column_);
      const auto& labels = table.column(labels_label_column_);
      for (size_t i = 0; i < table.size(); ++i)
        if (!csv_labels.emplace(ids[i], labels[i]).second)
          throw DataError(component + ": " + table.origin(i) + ": id '" + ids[i] + "' appears twice in labels_csv " +
                          labels_csv_ + "; give each id one label");
    }
    const bool labelled = label_from_ != "none";
    const bool split = !split_pattern_.empty();
    std::vector<std::string> names{"id", "sequence", "description", "file"};
    if (labelled) names.push_back(label_column_);
    if (split) names.push_back("split");
    Records out(names, files.size() == 1 ? files[0] : path_);
    const auto label_re = compile(label_pattern_, "reader.label_pattern");
    const auto split_re = compile(split_pattern_.empty() ? "x" : split_pattern_, "reader.split_pattern");
    std::unordered_map<std::string, std::string> seen;  // id -> where
    for (const auto& file : files) {
      const std::string name = fs::path(file).filename().string();
      std::string file_label, file_split;
      if (label_from_ == "file" && !capture(label_re, name, file_label))
        throw DataError(component + ": the file name '" + name + "' does not match label_pattern \"" +
                        label_pattern_ + "\"; fix the pattern or the file name");
      if (split && !capture(split_re, name, file_split))
        throw DataError(component + ": the file name '" + name + "' does not match split_pattern \"" +
                        split_pattern_ + "\"; fix the pattern or the file name");
      for (auto& r : parse_fasta(read_text_file(file, component), file, policy_, component)) {
        const std::string where = file + ":" + std::to_string(r.line);
        if (duplicate_ids_ == "error") {
          auto [it, fresh] = seen.emplace(r.id, where);
          if (!fresh)
            throw DataError(component + ": " + where + ": duplicate id '" + r.id + "' (first at " + it->second +
                            "); make ids unique or set duplicate_ids to \"keep\"");
        }
        std::vector<std::string> row{r.id, r.sequence, r.description, name};
        if (labelled) {
          std::string label;
          bool found = true;
          if (label_from_ == "file") {
            label = file_label;
          } else if (label_from_ == "header") {
            found = capture(label_re, r.header, label);
          } else {
            auto it = csv_labels.find(r.id);
            found = it != csv_labels.end();
            if (found) label = it->second;
          }
          if (!found) {
            if (missing_label_ == "drop") continue;
            throw DataError(component + ": " + where + ": record '" + r.id + "' has no label (" +
                            (label_from_ == "header" ? "its header does not match label_pattern \"" + label_pattern_ + "\""
                                                     : "its id is not in " + labels_csv_) +
                            "); fix the data or set missing_label to \"drop\"");
          }
          row.push_back(label);
        }
        if (split) row.push_back(file_split);
        out.add_row(std::move(row), where);
      }
    }
    return out;
  }

  Records read_inputs(const std::vector<std::string>& inputs, const std::string& column) const override {
    return read_inputs_impl(inputs, column, policy_, "protein.fasta", [](const std::string& file, Records&) {
      throw DataError("protein.fasta: input '" + file + "' is a table; this model reads FASTA files or raw sequences");
    });
  }

 private:
  std::string path_, file_pattern_, label_from_, label_pattern_, labels_csv_, labels_id_column_,
      labels_label_column_, label_column_, split_pattern_, missing_label_, duplicate_ids_;
  InvalidPolicy policy_;
};

class ProteinCsvReader : public Reader {
 public:
  explicit ProteinCsvReader(const Options& o)
      : path_(o.string("path")),
        delimiter_(parse_delimiter(o.string("delimiter"), o.path() + ".delimiter")),
        sequence_column_(o.string("sequence_column")),
        id_column_(o.string("id_column")),
        policy_(parse_invalid_policy(o.string("invalid"), o.path() + ".invalid")) {}

  Records read() const override { return clean(read_csv_file(path_, CsvOptions().delimiter(delimiter_))); }

  Records read_inputs(const std::vector<std::string>& inputs, const std::string& column) const override {
    return read_inputs_impl(inputs, column, policy_, "protein.csv", [&](const std::string& file, Records& out) {
      Records table = clean(read_csv_file(file, CsvOptions().delimiter(delimiter_)));
      const bool has_id = !id_column_.empty() && table.has_column(id_column_);
      for (size_t i = 0; i < table.size(); ++i)
        out.add_row({has_id ? table.at(i, id_column_) : table.origin(i), table.at(i, sequence_column_)},
                    table.origin(i));
    });
  }

 private:
  Records clean(const Records& table) const {
    const std::string component = "protein.csv";
    if (!table.has_column(sequence_column_)) {
      std::string columns;
      for (const auto& name : table.column_names()) columns += (columns.empty() ? "\"" : ", \"") + name + "\"";
      throw DataError(component + ": " + table.source() + " has no column \"" + sequence_column_ +
                      "\" (reader.sequence_column); its columns are " + columns +
                      ". Set reader.sequence_column to the column holding the sequences: blocks and baselines that do "
                      "not name their column read it too");
    }
    const size_t seq = table.column_index(sequence_column_);
    const bool has_id = !id_column_.empty();
    const size_t id = has_id ? table.column_index(id_column_) : 0;
    Records out(table.column_names(), table.source());
    std::unordered_map<std::string, std::string> seen;
    for (size_t i = 0; i < table.size(); ++i) {
      std::vector<std::string> row;
      for (size_t c = 0; c < table.column_names().size(); ++c) row.push_back(table.at(i, c));
      std::string where = table.origin(i) + (has_id ? " record '" + row[id] + "'" : "") + " column '" +
                          sequence_column_ + "'";
      row[seq] = clean_sequence(row[seq], policy_, component, where);
      if (has_id) {
        auto [it, fresh] = seen.emplace(row[id], table.origin(i));
        if (!fresh)
          throw DataError(component + ": " + table.origin(i) + ": duplicate id '" + row[id] + "' in column '" +
                          id_column_ + "' (first at " + it->second + "); make ids unique or leave id_column empty");
      }
      out.add_row(std::move(row), table.origin(i));
    }
    return out;
  }

  std::string path_;
  char delimiter_;
  std::string sequence_column_, id_column_;
  InvalidPolicy policy_;
};

OptionSpec invalid_spec() {
  return OptionSpec("invalid", OptionType::string, "error",
                    "a character that is no residue letter: \"error\" (names record and position), \"x\" (map "
                    "to X) or \"remove\"")
      .choices({"error", "x", "remove"});
}

}  // namespace

void register_readers(Registry& registry) {
  registry.add_reader(
      "protein.fasta",
      "FASTA file or folder -> id, sequence, description, file (+ label from header/file name/CSV, + split)",
      {OptionSpec("path", OptionType::string, json(), "a FASTA file, or a folder of them").required(),
       OptionSpec("file_pattern", OptionType::string, "\\.(fa|fasta|faa|fas)$",
                  "regex the file names in a folder must match"),
       OptionSpec("label_from", OptionType::string, "none",
                  "where labels come from: none, header (label_pattern on the header line), file (label_pattern "
                  "on the file name), csv (labels_csv keyed by id)")
           .choices({"none", "header", "file", "csv"}),
       OptionSpec("label_pattern", OptionType::string, "",
                  "regex whose first group is the label; default label=([^\\s|;]+) for headers, ^([^.]+) for file "
                  "names"),
       OptionSpec("labels_csv", OptionType::string, "", "CSV file with an id and a label column (label_from csv)"),
       OptionSpec("labels_id_column", OptionType::string, "id", "id column of labels_csv"),
       OptionSpec("labels_label_column", OptionType::string, "label", "label column of labels_csv"),
       OptionSpec("label_column", OptionType::string, "label", "name of the label column produced"),
       OptionSpec("split_pattern", OptionType::string, "",
                  "regex on the file name whose first group fills a \"split\" column (for core.by_column), e.g. "
                  "\\.(tr|eval|te)\\."),
       OptionSpec("missing_label", OptionType::string, "error", "a record without a label: error or drop")
           .choices({"error", "drop"}),
       OptionSpec("duplicate_ids", OptionType::string, "error", "a repeated record id: error or keep")
           .choices({"error", "keep"}),
       invalid_spec()},
      [](const Options& o) { return std::make_shared<FastaReader>(o); });
  registry.add_reader(
      "protein.csv", "CSV/TSV table with a sequence column (cleaned and checked); other columns kept",
      {OptionSpec("path", OptionType::string, json(), "the table").required(),
       OptionSpec("delimiter", OptionType::string, ",", "\",\", \"tab\", \";\" or \"|\""),
       OptionSpec("sequence_column", OptionType::string, "sequence", "the column holding sequences"),
       OptionSpec("id_column", OptionType::string, "", "optional id column: ids must be unique"), invalid_spec()},
      [](const Options& o) { return std::make_shared<ProteinCsvReader>(o); });
}

}  // namespace adapt::protein
