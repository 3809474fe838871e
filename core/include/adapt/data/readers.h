#pragma once
// The core's readers: folder-per-class (core.folder) and CSV/TSV tables (core.csv).
#include <string>
#include <vector>

#include "adapt/data/csv.h"
#include "adapt/data/reader.h"

namespace adapt {

#define ADAPT_READER_ARG(owner, type, name) \
  owner& name(type value) {                 \
    name##_ = std::move(value);             \
    return *this;                           \
  }                                         \
  const type& name() const { return name##_; }

// root/<label>/<file>, or root/{train,valid,test}/<label>/<file> (fastai's GrandparentSplitter
// layout): then only those top-level folders are read and each row's "split" column names its folder.
struct ADAPT_API FolderReaderOptions {
  explicit FolderReaderOptions(std::string path) : path_(std::move(path)) {}
  ADAPT_READER_ARG(FolderReaderOptions, std::string, path)
  // Kept file extensions, case-insensitive, with or without the dot; empty keeps every file.
  ADAPT_READER_ARG(FolderReaderOptions, std::vector<std::string>, extensions)
  ADAPT_READER_ARG(FolderReaderOptions, std::string, path_column)
  ADAPT_READER_ARG(FolderReaderOptions, std::string, label_column)
  ADAPT_READER_ARG(FolderReaderOptions, std::string, split_column)
  // Top-level folder names that mark a split layout, in the order train, valid, test.
  ADAPT_READER_ARG(FolderReaderOptions, std::vector<std::string>, split_folders)

 private:
  std::string path_;
  std::vector<std::string> extensions_;
  std::string path_column_ = "path";
  std::string label_column_ = "label";
  std::string split_column_ = "split";
  std::vector<std::string> split_folders_ = {"train", "valid", "test"};
};

class ADAPT_API FolderReader : public Reader {
 public:
  explicit FolderReader(FolderReaderOptions options);
  // Files sorted by path, so the records (and any seeded split of them) are reproducible.
  Records read() const override;
  const FolderReaderOptions& options() const { return options_; }

 private:
  FolderReaderOptions options_;
};

struct ADAPT_API CsvReaderOptions {
  explicit CsvReaderOptions(std::string path) : path_(std::move(path)) {}
  ADAPT_READER_ARG(CsvReaderOptions, std::string, path)
  ADAPT_READER_ARG(CsvReaderOptions, CsvOptions, csv)

 private:
  std::string path_;
  CsvOptions csv_;
};

class ADAPT_API CsvReader : public Reader {
 public:
  explicit CsvReader(CsvReaderOptions options);
  Records read() const override;
  const CsvReaderOptions& options() const { return options_; }

 private:
  CsvReaderOptions options_;
};

#undef ADAPT_READER_ARG

}  // namespace adapt
