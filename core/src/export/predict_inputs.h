#pragma once
// Internal: the records `adapt predict` builds from its inputs when the plugin's reader does not fill
// every column the model reads (several inputs), and from JSON lines for any model.
//   a table file (.csv, .tsv, .jsonl, .ndjson): one record per row or line, its columns found by name;
//   otherwise one CSV row per input: the columns in order ("1.2,0.3,red") or as name=value pairs.
#include <string>
#include <vector>

#include "adapt/data/records.h"

namespace adapt {

bool is_table_file(const std::string& input);       // an existing .csv, .tsv, .jsonl or .ndjson file
bool is_json_lines_file(const std::string& input);  // an existing .jsonl or .ndjson file
// Every file's records with `columns` (others are ignored); throws DataError naming the file, the
// line and the missing or malformed field.
Records read_table_inputs(const std::vector<std::string>& files, const std::vector<std::string>& columns);
Records parse_row_inputs(const std::vector<std::string>& inputs, const std::vector<std::string>& columns);

}  // namespace adapt
