// Series files (CSV: a header naming the channels, then one row per time step) and the reader that
// finds them in folder-per-class layout: <path>/<label>/<series>.csv.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "sensor.h"

namespace sensor {

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  for (char c : line) {
    if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(field);
  for (auto& f : fields) {
    f.erase(0, f.find_first_not_of(" \t"));
    f.erase(f.find_last_not_of(" \t") + 1);
  }
  return fields;
}

}  // namespace

Series read_series(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw adapt::DataError("sensor: cannot open series file " + file.string());
  Series series;
  std::string line;
  if (!std::getline(in, line) || line.empty()) {
    throw adapt::DataError("sensor: " + file.string() + ":1: empty file; a series needs a header line naming its channels (e.g. ax,ay,az)");
  }
  series.channels = split_fields(line);
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    auto fields = split_fields(line);
    if (fields.size() != series.channels.size()) {
      throw adapt::DataError("sensor: " + file.string() + ":" + std::to_string(line_number) + ": expected " +
                             std::to_string(series.channels.size()) + " fields (one per channel), got " +
                             std::to_string(fields.size()));
    }
    std::vector<float> row(fields.size());
    for (size_t c = 0; c < fields.size(); ++c) {
      errno = 0;
      char* end = nullptr;
      float v = std::strtof(fields[c].c_str(), &end);
      if (fields[c].empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) {
        throw adapt::DataError("sensor: " + file.string() + ":" + std::to_string(line_number) + ", column \"" +
                               series.channels[c] + "\": expected a finite number, got \"" + fields[c] +
                               "\"; fix the value or remove the file");
      }
      row[c] = v;
    }
    series.samples.push_back(std::move(row));
  }
  if (series.samples.empty()) {
    throw adapt::DataError("sensor: " + file.string() + ": the series has a header but no samples");
  }
  return series;
}

torch::Tensor series_tensor(const Series& series, const std::vector<std::string>& channels,
                            const std::filesystem::path& file) {
  std::vector<size_t> columns;
  if (channels.empty()) {
    for (size_t c = 0; c < series.channels.size(); ++c) columns.push_back(c);
  } else {
    for (const auto& name : channels) {
      auto it = std::find(series.channels.begin(), series.channels.end(), name);
      if (it == series.channels.end()) {
        std::string have;
        for (const auto& h : series.channels) have += (have.empty() ? "" : ", ") + h;
        throw adapt::DataError("sensor: " + file.string() + ":1: no channel \"" + name + "\" (the file has " + have +
                               "); fix the block's \"channels\" option or the file");
      }
      columns.push_back(static_cast<size_t>(it - series.channels.begin()));
    }
  }
  const int64_t n_time = static_cast<int64_t>(series.samples.size());
  torch::Tensor out = torch::empty({static_cast<int64_t>(columns.size()), n_time});
  auto a = out.accessor<float, 2>();
  for (int64_t t = 0; t < n_time; ++t) {
    for (size_t c = 0; c < columns.size(); ++c) a[static_cast<int64_t>(c)][t] = series.samples[t][columns[c]];
  }
  return out;
}

namespace {

class SeriesReader : public adapt::Reader {
 public:
  SeriesReader(std::filesystem::path root, std::string extension, std::string path_column, std::string label_column)
      : root_(std::move(root)), extension_(std::move(extension)), path_column_(std::move(path_column)),
        label_column_(std::move(label_column)) {}

  adapt::Records read() const override {
    std::error_code ec;
    if (!std::filesystem::is_directory(root_, ec)) {
      throw adapt::DataError("sensor.series: " + root_.string() + " is not a directory; give the folder holding one sub-folder per class");
    }
    std::vector<std::pair<std::string, std::string>> rows;  // path, label
    for (const auto& class_dir : std::filesystem::directory_iterator(root_)) {
      if (!class_dir.is_directory()) continue;
      for (const auto& file : std::filesystem::directory_iterator(class_dir.path())) {
        if (file.is_regular_file() && file.path().extension() == extension_) {
          rows.emplace_back(file.path().string(), class_dir.path().filename().string());
        }
      }
    }
    if (rows.empty()) {
      throw adapt::DataError("sensor.series: no *" + extension_ + " files under " + root_.string() +
                             "/<class>/; expected one series file per example in a folder named after its class");
    }
    std::sort(rows.begin(), rows.end());  // directory order is not stable across file systems
    adapt::Records records({path_column_, label_column_}, root_.string());
    for (auto& [path, label] : rows) records.add_row({path, label}, path);
    return records;
  }

 private:
  std::filesystem::path root_;
  std::string extension_, path_column_, label_column_;
};

}  // namespace

void register_reader(adapt::Registry& registry) {
  using adapt::OptionSpec;
  using adapt::OptionType;
  registry.add_reader(
      "sensor.series", "one CSV file per series in <path>/<label>/ (header: channel names; rows: time steps)",
      {OptionSpec("path", OptionType::string, nullptr, "root folder with one sub-folder per class").required(),
       OptionSpec("extension", OptionType::string, ".csv", "extension of series files"),
       OptionSpec("path_column", OptionType::string, "path", "column holding each series' path"),
       OptionSpec("label_column", OptionType::string, "label", "column holding the class (the folder name)")},
      [](const adapt::Options& o) {
        return std::make_shared<SeriesReader>(o.string("path"), o.string("extension"), o.string("path_column"),
                                              o.string("label_column"));
      });
}

}  // namespace sensor
