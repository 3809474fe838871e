#include "adapt/data/readers.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace adapt {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Every regular file under `dir` (following links), skipping hidden files and folders, sorted.
std::vector<fs::path> list_files(const fs::path& dir, const std::set<std::string>& extensions) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
  if (ec) throw DataError("core.folder: cannot list '" + dir.string() + "': " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw DataError("core.folder: cannot list '" + dir.string() + "': " + ec.message());
    const fs::path& p = it->path();
    if (hidden(p)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    if (!extensions.empty() && !extensions.count(lower(p.extension().string()))) continue;
    files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

FolderReader::FolderReader(FolderReaderOptions options) : options_(std::move(options)) {
  if (options_.path().empty()) throw OptionError("reader.path: give the folder to read");
  const auto& o = options_;
  if (o.path_column().empty() || o.label_column().empty() || o.split_column().empty() ||
      o.path_column() == o.label_column() || o.path_column() == o.split_column() ||
      o.label_column() == o.split_column()) {
    throw OptionError("reader: path_column, label_column and split_column must be distinct non-empty names, got \"" +
                      o.path_column() + "\", \"" + o.label_column() + "\", \"" + o.split_column() + "\"");
  }
}

Records FolderReader::read() const {
  const fs::path root(options_.path());
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw DataError("core.folder: '" + root.string() + "' is not a folder; give reader.path the folder whose " +
                    "subfolders are the classes");
  }
  std::set<std::string> extensions;
  for (std::string e : options_.extensions()) {
    if (e.empty()) continue;
    if (e[0] != '.') e = "." + e;
    extensions.insert(lower(e));
  }

  // Split layout: any of the configured top-level folders exists.
  std::vector<std::string> split_dirs;
  for (const auto& name : options_.split_folders()) {
    if (fs::is_directory(root / name, ec)) split_dirs.push_back(name);
  }
  const bool split_layout = !split_dirs.empty();

  std::vector<std::string> names = {options_.path_column(), options_.label_column()};
  if (split_layout) names.push_back(options_.split_column());
  Records records(names, root.string());

  auto add_files = [&](const fs::path& base, const std::string& split) {
    for (const auto& file : list_files(base, extensions)) {
      const fs::path relative = file.lexically_relative(base);
      if (relative.parent_path().empty()) {
        throw DataError("core.folder: '" + file.string() + "' lies directly in '" + base.string() +
                        "', not in a class folder; move it into a folder named after its label, or filter it out "
                        "with reader.extensions");
      }
      std::vector<std::string> fields = {file.string(), file.parent_path().filename().string()};
      if (split_layout) fields.push_back(split);
      records.add_row(std::move(fields), file.string());
    }
  };
  if (split_layout) {
    for (const auto& name : split_dirs) add_files(root / name, name);
  } else {
    add_files(root, "");
  }
  if (records.empty()) {
    std::string wanted;
    for (const auto& e : extensions) wanted += (wanted.empty() ? "" : ", ") + e;
    throw DataError("core.folder: no files found under '" + root.string() + "'" +
                    (wanted.empty() ? std::string() : " with extensions " + wanted) +
                    "; check reader.path and reader.extensions");
  }
  return records;
}

}  // namespace adapt
