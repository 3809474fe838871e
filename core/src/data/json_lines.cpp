#include "adapt/data/json_lines.h"

#include "adapt/common/options.h"

namespace adapt {
namespace {

std::string json_line_column_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::string json_field_text(const json& value, const std::string& where, const std::string& column) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_number() || value.is_boolean()) return value.dump();
  throw DataError(where + ": field \"" + column + "\" is " + std::string(value.type_name()) +
                  "; give a string, a number or null (missing)");
}

}  // namespace

std::vector<std::string> json_line_fields(const std::string& line, const std::string& where,
                                          const std::vector<std::string>& columns) {
  json object;
  try {
    object = json::parse(line);
  } catch (const json::parse_error& e) {
    throw DataError(where + ": not valid JSON (" + std::string(e.what()) + "); each line must be one JSON object");
  }
  if (!object.is_object()) throw DataError(where + ": each line must be a JSON object of the columns " + json_line_column_list(columns));
  std::vector<std::string> fields;
  for (const auto& c : columns) {
    if (!object.contains(c))
      throw DataError(where + ": no field \"" + c + "\"; the model reads " + json_line_column_list(columns) + " (null for a missing value)");
    fields.push_back(json_field_text(object[c], where, c));
  }
  return fields;
}

}  // namespace adapt
