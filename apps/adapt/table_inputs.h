#pragma once
// Table files as the commands that predict read them: `.csv` / `.tsv` with a header naming the
// model's columns (in any order; other columns are left alone) and `.jsonl` / `.ndjson` with one JSON
// object a line, streamed a chunk at a time, each row named `file:line`.
#include <adapt/data/records.h>

#include <cstddef>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <vector>

namespace adapt::cli {

constexpr size_t kChunkRows = 2048;

// A chunk of inputs: `parse(items)` turns some of them into records (one or more each); labels name
// each input in the output.
struct Chunk {
  std::shared_ptr<const std::vector<std::string>> labels;
  std::function<Records(const std::vector<size_t>& items)> parse;
  size_t size() const { return labels->size(); }
};

std::string lower_extension(const std::string& path);
std::string& strip_cr(std::string& line);
bool blank(const std::string& line);

// stream_table on a table file, its format from its extension (.tsv, .csv, else JSON lines).
void stream_table_file(const std::string& file_name, const std::vector<std::string>& columns,
                       const std::function<void(Chunk&&)>& emit);

// Whether every input is an existing table file (by its extension).
bool all_table_files(const std::vector<std::string>& inputs);

// Streams a table (format "csv", "tsv" or "jsonl") from `in` in chunks of kChunkRows, calling `emit`
// for each. `first_line` and `line`: what a caller already read of `in` (standard input).
void stream_table(std::istream& in, const std::string& source, const std::string& format,
                  const std::vector<std::string>& columns, const std::function<void(Chunk&&)>& emit,
                  std::string first_line = {}, size_t line = 0);

}  // namespace adapt::cli
