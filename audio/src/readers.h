#pragma once
// audio.folder (folder-per-class) and audio.csv (a table with a path column) readers over every
// format libsndfile reads. Paths come out absolute. Files can be checked at read time; a bad file is
// then an error naming it, or (on_error: "skip") dropped and counted in a warning.
#include <iosfwd>
#include <string>
#include <vector>

#include "adapt/data/reader.h"

namespace adapt::audio {

enum class FileCheck { none, header, decode };

struct FileCheckOptions {
  FileCheck check = FileCheck::header;
  bool skip_bad = false;
  bool keep_absent = false;  // rows with an empty path or no such file are kept unchecked (records without audio)
  std::ostream* warnings = nullptr;  // where skipped files are reported; nullptr: std::cerr
};

// Keeps the rows whose audio passes the check. Throws DataError naming the first bad file unless
// skipping, in which case a warning gives the count and the first few reasons.
Records check_audio_rows(const Records& records, const std::string& path_column, const FileCheckOptions& options,
                         const std::string& component);

class FolderReader : public Reader {
 public:
  explicit FolderReader(const Options& options);
  static OptionSchema schema();
  Records read() const override;
  Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const override;

 private:
  std::string root_, path_column_, label_column_;
  std::vector<std::string> extensions_;
  FileCheckOptions check_;
};

class CsvReader : public Reader {
 public:
  explicit CsvReader(const Options& options);
  static OptionSchema schema();
  Records read() const override;
  Records read_inputs(const std::vector<std::string>& inputs, const std::string& input_column) const override;

 private:
  std::string path_, root_, path_column_;
  char delimiter_;
  FileCheckOptions check_;
};

}  // namespace adapt::audio
