#include "readers.h"

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>

#include "adapt/data/csv.h"
#include "audio_file.h"
#include "register.h"

namespace fs = std::filesystem;

namespace adapt::audio {

namespace {

FileCheckOptions check_options(const Options& o) {
  FileCheckOptions c;
  const std::string check = o.string("check");
  c.check = check == "none" ? FileCheck::none : check == "header" ? FileCheck::header : FileCheck::decode;
  c.skip_bad = o.string("on_error") == "skip";
  return c;
}

std::vector<OptionSpec> check_schema() {
  return {OptionSpec("check", OptionType::string, "header",
                     "at read time: header (open each file, check channels, rate, length), decode (also decode "
                     "it: finds truncation and NaN samples), none")
              .choices({"none", "header", "decode"}),
          OptionSpec("on_error", OptionType::string, "raise",
                     "a file failing the check: raise (error naming it) or skip (drop it, warn with the count)")
              .choices({"raise", "skip"})};
}

// Header-only check: what decode_mono checks before reading samples.
void check_header(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw DataError("audio: " + path + ": no such file");
  if (fs::file_size(path, ec) == 0) throw DataError("audio: " + path + ": the file is empty (0 bytes)");
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file)
    throw DataError("audio: " + path + ": cannot decode: " + sf_strerror(nullptr) +
                    "; not audio in a format libsndfile reads, or corrupt");
  sf_close(file);
  const DecodeLimits limits;
  if (info.channels < 1 || info.channels > limits.max_channels)
    throw DataError("audio: " + path + ": has " + std::to_string(info.channels) + " channels; expected 1 to " +
                    std::to_string(limits.max_channels));
  if (info.samplerate < limits.min_sample_rate || info.samplerate > limits.max_sample_rate)
    throw DataError("audio: " + path + ": sample rate " + std::to_string(info.samplerate) + " Hz is outside [" +
                    std::to_string(limits.min_sample_rate) + ", " + std::to_string(limits.max_sample_rate) + "] Hz");
  if (info.frames <= 0) throw DataError("audio: " + path + ": holds no audio frames (zero-length recording)");
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string absolute_path(const std::string& path, const fs::path& root) {
  fs::path p(path);
  if (p.is_relative()) p = root / p;
  return fs::absolute(p).lexically_normal().string();
}

Records path_records(const std::vector<std::string>& inputs, const std::string& column) {
  Records records({column}, "command line");
  for (const auto& input : inputs) records.add_row({fs::absolute(input).lexically_normal().string()}, input);
  return records;
}

}  // namespace

Records check_audio_rows(const Records& records, const std::string& path_column, const FileCheckOptions& options,
                         const std::string& component) {
  if (options.check == FileCheck::none) return records;
  std::vector<size_t> keep;
  std::vector<std::string> reasons;
  const size_t column = records.column_index(path_column);
  for (size_t row = 0; row < records.size(); ++row) {
    const std::string& path = records.at(row, column);
    std::error_code ec;
    if (options.keep_absent && (path.empty() || !fs::exists(path, ec))) {
      keep.push_back(row);
      continue;
    }
    try {
      if (options.check == FileCheck::header) {
        check_header(path);
      } else {
        int64_t rate = 0;
        decode_mono(path, rate);
      }
      keep.push_back(row);
    } catch (const DataError& e) {
      if (!options.skip_bad)
        throw DataError(component + ": " + records.origin(row) + ": " + e.what() +
                        " (or set on_error: \"skip\" to drop bad files)");
      reasons.push_back(e.what());
    }
  }
  if (!reasons.empty()) {
    std::ostream& out = options.warnings ? *options.warnings : std::cerr;
    out << component << ": skipped " << reasons.size() << " of " << records.size() << " files that failed the "
        << (options.check == FileCheck::header ? "header" : "decode") << " check";
    for (size_t i = 0; i < std::min<size_t>(3, reasons.size()); ++i) out << "\n  " << reasons[i];
    if (reasons.size() > 3) out << "\n  ...";
    out << "\n";
  }
  if (keep.empty())
    throw DataError(component + ": every one of the " + std::to_string(records.size()) + " files in " +
                    records.source() + " failed the check; the first: " +
                    (reasons.empty() ? std::string("?") : reasons.front()));
  return keep.size() == records.size() ? records : records.subset(keep);
}

// --- audio.folder ---------------------------------------------------------------------------------

OptionSchema FolderReader::schema() {
  OptionSchema s = {
      OptionSpec("root", OptionType::string, nullptr, "folder holding one sub-folder per class").required(),
      OptionSpec("extensions", OptionType::string_list, json::array(),
                 "file extensions to read (case-insensitive); empty: every format libsndfile reads"),
      OptionSpec("path_column", OptionType::string, "path", "column for the file path"),
      OptionSpec("label_column", OptionType::string, "label", "column for the class (the sub-folder name)"),
  };
  for (auto& spec : check_schema()) s.push_back(spec);
  return s;
}

FolderReader::FolderReader(const Options& options)
    : root_(options.string("root")),
      path_column_(options.string("path_column")),
      label_column_(options.string("label_column")),
      extensions_(options.strings("extensions")),
      check_(check_options(options)) {
  if (extensions_.empty()) extensions_ = readable_extensions();
  for (auto& e : extensions_) e = lower(e[0] == '.' ? e.substr(1) : e);
}

Records FolderReader::read() const {
  std::error_code ec;
  if (!fs::is_directory(root_, ec))
    throw DataError("audio.folder: root '" + root_ + "' is not a directory; give the folder holding one sub-folder "
                    "per class");
  std::vector<std::pair<std::string, std::string>> rows;  // (path, label)
  std::vector<fs::path> classes;
  for (const auto& entry : fs::directory_iterator(root_))
    if (entry.is_directory()) classes.push_back(entry.path());
  std::sort(classes.begin(), classes.end());
  for (const auto& dir : classes) {
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::string ext = lower(entry.path().extension().string());
      if (!ext.empty()) ext = ext.substr(1);
      if (std::find(extensions_.begin(), extensions_.end(), ext) != extensions_.end())
        files.push_back(fs::absolute(entry.path()).lexically_normal().string());
    }
    std::sort(files.begin(), files.end());
    for (auto& f : files) rows.emplace_back(std::move(f), dir.filename().string());
  }
  if (rows.empty())
    throw DataError("audio.folder: no audio files under '" + root_ + "/<class>/' with extensions " +
                    json(extensions_).dump() + "; check root and extensions");
  Records records({path_column_, label_column_}, root_);
  for (auto& [path, label] : rows) records.add_row({path, label}, path);
  return check_audio_rows(records, path_column_, check_, "audio.folder");
}

Records FolderReader::read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const {
  return path_records(inputs, input_column.empty() ? path_column_ : input_column);
}

// --- audio.csv ------------------------------------------------------------------------------------

OptionSchema CsvReader::schema() {
  OptionSchema s = {
      OptionSpec("path", OptionType::string, nullptr, "the CSV/TSV file (with a header row)").required(),
      OptionSpec("path_column", OptionType::string, "path", "column holding audio file paths"),
      OptionSpec("root", OptionType::string, "",
                 "folder relative audio paths are resolved against; empty: the CSV file's folder"),
      OptionSpec("delimiter", OptionType::string, ",", "field separator: , ; | or tab"),
      OptionSpec("on_missing", OptionType::string, "error",
                 "a row with an empty path or no such file: error, or keep it as a record without audio (the "
                 "block's on_missing \"mark\" then marks it missing for core.fusion)")
          .choices({"error", "keep"}),
  };
  for (auto& spec : check_schema()) s.push_back(spec);
  return s;
}

CsvReader::CsvReader(const Options& options)
    : path_(options.string("path")),
      root_(options.string("root")),
      path_column_(options.string("path_column")),
      delimiter_(parse_delimiter(options.string("delimiter"), options.path() + ".delimiter")),
      check_(check_options(options)) {
  check_.keep_absent = options.string("on_missing") == "keep";
}

Records CsvReader::read() const {
  Records table = read_csv_file(path_, CsvOptions().delimiter(delimiter_));
  if (table.empty()) throw DataError("audio.csv: " + path_ + " has no rows");
  const size_t column = table.column_index(path_column_);
  const fs::path root = root_.empty() ? fs::absolute(path_).parent_path() : fs::absolute(root_);
  // Rebuild with absolute paths; every other column is kept as read.
  Records records(table.column_names(), table.source());
  for (size_t row = 0; row < table.size(); ++row) {
    std::vector<std::string> fields;
    for (size_t c = 0; c < table.column_names().size(); ++c) {
      const std::string& value = table.at(row, c);
      if (c == column && value.empty() && !check_.keep_absent)
        throw DataError("audio.csv: " + table.origin(row) + ": column '" + path_column_ +
                        "' is empty; every row needs an audio file path (or set on_missing: \"keep\" for records "
                        "without audio in a fused model)");
      fields.push_back(c == column && !value.empty() ? absolute_path(value, root) : value);
    }
    records.add_row(std::move(fields), table.origin(row));
  }
  return check_audio_rows(records, path_column_, check_, "audio.csv");
}

Records CsvReader::read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const {
  return path_records(inputs, input_column.empty() ? path_column_ : input_column);
}

void register_readers(Registry& registry) {
  registry.add_reader("audio.folder", "folder-per-class audio files (every format libsndfile reads) -> path, label",
                      FolderReader::schema(), [](const Options& o) { return std::make_shared<FolderReader>(o); });
  registry.add_reader("audio.csv", "a CSV/TSV with a column of audio file paths (relative to the CSV) and any labels",
                      CsvReader::schema(), [](const Options& o) { return std::make_shared<CsvReader>(o); });
}

}  // namespace adapt::audio
