#include "interactions_reader.h"

#include <adapt/data/csv.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "register.h"

namespace adapt::recsys {

namespace {

const std::vector<std::string> kOutputColumns = {"user", "item", "rating", "timestamp"};

std::vector<std::string> aliases(const std::string& role) {
  if (role == "user") return {"user", "userId", "user_id", "userid", "UserID", "uid"};
  if (role == "item") return {"item", "movieId", "item_id", "itemid", "movie_id", "MovieID", "iid"};
  if (role == "rating") return {"rating", "Rating", "score", "value"};
  return {"timestamp", "Timestamp", "time", "ts", "date"};
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", \"" : "\"") + names[i] + "\"";
  return out;
}

// ratings.dat separates fields by "::", which the core CSV tokenizer (one-character delimiters) does
// not cover.
std::vector<std::string> split_dat(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t next = line.find("::", start);
    fields.push_back(line.substr(start, next == std::string::npos ? std::string::npos : next - start));
    if (next == std::string::npos) break;
    start = next + 2;
  }
  return fields;
}

// Every non-empty record of the file with its line number.
std::vector<CsvRow> tokenize(const std::string& text, const std::string& source, const std::string& format) {
  std::vector<CsvRow> rows;
  if (format == "dat") {
    size_t start = 0, number = 1;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) {
        CsvRow row;
        row.fields = split_dat(line);
        row.line = number;
        rows.push_back(std::move(row));
      }
      start = end + 1;
      ++number;
    }
    return rows;
  }
  CsvOptions options;
  options.delimiter(format == "csv" ? ',' : '\t').quote(format == "csv" ? '"' : '\0').trim(true);
  CsvTokenizer tokenizer(text, source, options);
  CsvRow row;
  while (tokenizer.next(row)) {
    if (row.fields.size() == 1 && row.fields[0].empty()) continue;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

bool parse_number(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(*value);
}

// u.data's layout: user, item, rating and timestamp as TAB-separated numbers, no header. MovieLens
// ships its splits in it under other names (u1.base, u1.test, ua.base, ...), so it is recognised by
// what the first line holds, not by the file name.
bool looks_like_udata(const std::string& first_line) {
  std::vector<std::string> fields;
  for (size_t start = 0;;) {
    const size_t tab = first_line.find('\t', start);
    fields.push_back(trim(first_line.substr(start, tab == std::string::npos ? std::string::npos : tab - start)));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  if (fields.size() != 4) return false;
  double value = 0;
  for (const auto& f : fields)
    if (!parse_number(f, &value)) return false;
  return true;
}

std::string guess_format(const std::string& path, const std::string& first_line) {
  auto ends_with = [&](const std::string& suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".data") || looks_like_udata(first_line)) return "udata";
  if (ends_with(".dat") || first_line.find("::") != std::string::npos) return "dat";
  if (first_line.find('\t') != std::string::npos) return "tsv";
  return "csv";
}

}  // namespace

InteractionsReader::InteractionsReader(InteractionsReaderOptions options) : options_(std::move(options)) {}

OptionSchema InteractionsReader::schema() {
  return {
      OptionSpec("path", OptionType::string, nullptr, "interactions file (CSV with header, TSV, u.data, ratings.dat)")
          .required(),
      OptionSpec("format", OptionType::string, "auto",
                 "file format; auto: u.data when the first line is 4 TAB-separated numbers (u.data, u1.base, "
                 "ua.test, ...) or the name ends in .data; ratings.dat when it holds \"::\" or the name ends in .dat; "
                 "else a header row, TAB- or comma-separated by the first line")
          .choices({"auto", "csv", "tsv", "udata", "dat"}),
      OptionSpec("user_column", OptionType::string, "auto", "user id column in the header (auto: user, userId, user_id)"),
      OptionSpec("item_column", OptionType::string, "auto", "item id column (auto: item, movieId, item_id)"),
      OptionSpec("rating_column", OptionType::string, "auto", "rating column (auto: rating, score)"),
      OptionSpec("timestamp_column", OptionType::string, "auto",
                 "timestamp column (auto: timestamp, time); without one the row order is the time"),
      OptionSpec("implicit", OptionType::boolean, false, "implicit feedback: no rating column; every row rates 1"),
      OptionSpec("rating_min", OptionType::number, nullptr, "lowest valid rating; smaller ones are an error"),
      OptionSpec("rating_max", OptionType::number, nullptr, "highest valid rating; larger ones are an error"),
      OptionSpec("duplicates", OptionType::string, "error",
                 "a (user, item) pair seen twice: error, keep_last (latest timestamp) or keep_first")
          .choices({"error", "keep_last", "keep_first"}),
  };
}

InteractionsReaderOptions InteractionsReader::from_options(const Options& options) {
  InteractionsReaderOptions o;
  o.path = options.string("path");
  o.format = options.string("format");
  o.user_column = options.string("user_column");
  o.item_column = options.string("item_column");
  o.rating_column = options.string("rating_column");
  o.timestamp_column = options.string("timestamp_column");
  o.implicit = options.boolean("implicit");
  if (options.has("rating_min")) o.rating_min = options.number("rating_min");
  if (options.has("rating_max")) o.rating_max = options.number("rating_max");
  if (o.rating_min && o.rating_max && *o.rating_min > *o.rating_max) {
    throw options.error("rating_min", "must not exceed rating_max (" + std::to_string(*o.rating_max) + "), got " +
                                          std::to_string(*o.rating_min));
  }
  o.duplicates = options.string("duplicates");
  return o;
}

Records InteractionsReader::read() const {
  std::ifstream file(options_.path, std::ios::binary);
  if (!file) {
    throw DataError("recsys.interactions: cannot open '" + options_.path +
                    "'; check the reader's path (relative paths are relative to the recipe file)");
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parse(text.str(), options_.path);
}

Records InteractionsReader::parse(const std::string& text, const std::string& source) const {
  const std::string where = "recsys.interactions: '" + source + "'";
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw DataError(where + " is empty; give a file with one interaction (user, item, rating[, timestamp]) per line");
  }
  std::string format = options_.format;
  if (format == "auto") format = guess_format(source, text.substr(0, text.find('\n')));
  const std::vector<CsvRow> lines = tokenize(text, source, format);
  if (lines.empty()) {
    throw DataError(where + " has no records; give one interaction (user, item, rating[, timestamp]) per line");
  }
  const bool has_header = format == "csv" || format == "tsv";

  // Column positions of user, item, rating, timestamp in the file (-1: absent).
  std::vector<long> position(4, -1);
  size_t first_data = 0;
  size_t n_fields = 0;
  if (has_header) {
    std::vector<std::string> header = lines.front().fields;
    for (auto& name : header) name = trim(name);
    n_fields = header.size();
    first_data = 1;
    const std::vector<std::string> given = {options_.user_column, options_.item_column, options_.rating_column,
                                            options_.timestamp_column};
    const std::vector<std::string> option_names = {"user_column", "item_column", "rating_column", "timestamp_column"};
    for (size_t role = 0; role < 4; ++role) {
      const std::vector<std::string> wanted =
          given[role] == "auto" ? aliases(kOutputColumns[role]) : std::vector<std::string>{given[role]};
      for (size_t c = 0; c < header.size() && position[role] < 0; ++c) {
        for (const auto& name : wanted) {
          if (header[c] == name) position[role] = static_cast<long>(c);
        }
      }
      const bool needed = role < 2 || (role == 2 && !options_.implicit) || (role == 3 && given[role] != "auto");
      if (position[role] < 0 && needed) {
        throw DataError(where + " line " + std::to_string(lines.front().line) + ": no " + kOutputColumns[role] +
                        " column; the header has " + join(header) + " and " + option_names[role] + " is \"" +
                        given[role] + "\"" + (given[role] == "auto" ? " (looked for " + join(wanted) + ")" : "") +
                        "; set " + option_names[role] + " to the right header name" +
                        (role == 2 ? " or implicit: true" : ""));
      }
    }
    if (lines.size() == 1) {
      throw DataError(where + " has a header but no interactions; give at least one data row");
    }
  } else {
    // u.data: user item rating timestamp; ratings.dat: UserID::MovieID::Rating::Timestamp.
    n_fields = 4;
    position = {0, 1, options_.implicit ? -1 : 2, 3};
  }

  Records records(kOutputColumns, source);
  std::unordered_map<std::string, size_t> seen;  // "user\x1fitem" -> output row
  std::vector<double> timestamps;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> origins;
  rows.reserve(lines.size());
  for (size_t l = first_data; l < lines.size(); ++l) {
    const size_t number = lines[l].line;
    const std::string at = where + " line " + std::to_string(number);
    const std::vector<std::string>& fields = lines[l].fields;
    if (fields.size() != n_fields) {
      throw DataError(at + ": expected " + std::to_string(n_fields) + " fields (" +
                      (has_header ? "as in the header" : "user, item, rating, timestamp") + "), got " +
                      std::to_string(fields.size()) + "; fix the row or the format option");
    }
    std::vector<std::string> out(4);
    for (size_t role = 0; role < 4; ++role) {
      if (position[role] >= 0) out[role] = trim(fields[position[role]]);
    }
    for (size_t role = 0; role < 2; ++role) {
      if (out[role].empty()) {
        throw DataError(at + ", field \"" + kOutputColumns[role] + "\": the id is empty; every interaction needs a " +
                        kOutputColumns[role] + " id");
      }
    }
    double rating = 1.0;
    if (position[2] >= 0) {
      if (!parse_number(out[2], &rating)) {
        throw DataError(at + ", field \"rating\": \"" + out[2] + "\" is not a number; ratings must be numeric");
      }
      if ((options_.rating_min && rating < *options_.rating_min) ||
          (options_.rating_max && rating > *options_.rating_max)) {
        std::ostringstream range;
        range << "[" << (options_.rating_min ? std::to_string(*options_.rating_min) : "-inf") << ", "
              << (options_.rating_max ? std::to_string(*options_.rating_max) : "inf") << "]";
        throw DataError(at + ", field \"rating\": " + out[2] + " is outside the declared range " + range.str() +
                        "; fix the row or change the reader's rating_min/rating_max");
      }
    } else {
      out[2] = "1";
    }
    double timestamp = static_cast<double>(rows.size());
    if (position[3] >= 0) {
      if (!parse_number(out[3], &timestamp)) {
        throw DataError(at + ", field \"timestamp\": \"" + out[3] +
                        "\" is not a number; give Unix seconds (or any number that orders events)");
      }
    } else {
      out[3] = std::to_string(rows.size());
    }
    std::string key = out[0] + '\x1f' + out[1];
    auto [it, inserted] = seen.emplace(std::move(key), rows.size());
    if (!inserted) {
      const size_t previous = it->second;
      if (options_.duplicates == "error") {
        throw DataError(at + ": user \"" + out[0] + "\" and item \"" + out[1] + "\" already appear at " +
                        origins[previous] + "; remove the duplicate or set the reader's duplicates option to "
                        "keep_last or keep_first");
      }
      if (options_.duplicates == "keep_last" && timestamp >= timestamps[previous]) {
        rows[previous] = std::move(out);
        origins[previous] = source + ":" + std::to_string(number);
        timestamps[previous] = timestamp;
      }
      continue;
    }
    rows.push_back(std::move(out));
    origins.push_back(source + ":" + std::to_string(number));
    timestamps.push_back(timestamp);
  }
  for (size_t r = 0; r < rows.size(); ++r) records.add_row(std::move(rows[r]), std::move(origins[r]));
  return records;
}

// The role ("user" or "item") a NAME of a NAME=ID field gives its id: the reader's column for that
// role or one of its aliases; empty for other names.
std::string InteractionsReader::role_named(const std::string& name) const {
  for (const std::string role : {"user", "item"}) {
    const std::string& given = role == "user" ? options_.user_column : options_.item_column;
    std::vector<std::string> names = aliases(role);
    if (given != "auto") names.push_back(given);
    if (std::find(names.begin(), names.end(), name) != names.end()) return role;
  }
  return {};
}

Records InteractionsReader::read_inputs(const std::vector<std::string>& inputs, const std::string&) const {
  Records records({"user", "item"}, "command line");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& input = inputs[i];
    const std::string what = "recsys.interactions: input " + std::to_string(i + 1) + " \"" + input + "\"";
    const size_t split = input.find_first_of(",\t");
    // Exactly two fields: "1,2,3" is not user 1 and item "2,3" (a ratings row pasted whole).
    if (split == std::string::npos || trim(input.substr(0, split)).empty() || trim(input.substr(split + 1)).empty() ||
        input.find_first_of(",\t", split + 1) != std::string::npos) {
      throw DataError(what + " is not USER,ITEM; give a user id and an item id separated by one comma (no rating)");
    }
    std::vector<std::string> ids = {trim(input.substr(0, split)), trim(input.substr(split + 1))};
    // NAME=ID pairs ("userId=5,movieId=31", in either order), as the core's row inputs take them;
    // read as ids, they would be two ids never seen in training.
    if (ids[0].find('=') != std::string::npos && ids[1].find('=') != std::string::npos) {
      std::map<std::string, std::string> by_role;
      for (const auto& field : ids) {
        const size_t eq = field.find('=');
        const std::string name = trim(field.substr(0, eq)), role = role_named(name);
        if (role.empty() || by_role.count(role))
          throw DataError(what + ": \"" + name + "\" names " + (role.empty() ? "no" : "a second") +
                          " user or item column; give USER,ITEM or USER_COLUMN=ID,ITEM_COLUMN=ID (names: " +
                          join(aliases("user")) + " and " + join(aliases("item")) + ", or the reader's columns)");
        by_role[role] = trim(field.substr(eq + 1));
      }
      ids = {by_role.at("user"), by_role.at("item")};
    }
    records.add_row(ids, "input " + std::to_string(i + 1));
  }
  return records;
}

void register_readers(Registry& registry) {
  registry.add_reader("recsys.interactions",
                      "user/item interactions: CSV with header, TSV, MovieLens ratings.csv, u.data, ratings.dat",
                      InteractionsReader::schema(), [](const Options& o) {
                        return std::make_shared<InteractionsReader>(InteractionsReader::from_options(o));
                      });
}

}  // namespace adapt::recsys
