#include "text_audit.h"

#include <fmt/format.h>

#include <algorithm>

#include "utf8.h"

namespace adapt::text {
namespace {

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

json quantiles(std::vector<size_t> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))]; };
  return {{"p5", at(0.05)}, {"median", at(0.5)}, {"p95", at(0.95)}, {"max", v.back()}};
}

std::string share(size_t n, size_t of) { return fmt::format("{:.1f}%", of ? 100.0 * double(n) / double(of) : 0.0); }

}  // namespace

json audit_texts(const Records& records, const std::vector<std::string>& columns, const std::vector<size_t>& rows,
                 const std::function<size_t(size_t)>& token_count, int64_t max_tokens) {
  std::vector<size_t> index;
  for (const auto& c : columns) index.push_back(records.column_index(c));
  std::vector<size_t> chars, tokens;
  size_t empty = 0, invalid = 0, truncated = 0;
  std::string first_invalid;
  for (size_t r : rows) {
    size_t n = 0;
    bool all_blank = true;
    for (size_t c : index) {
      const std::string& text = records.at(r, c);
      n += code_points(text);
      all_blank = all_blank && blank(text);
      if (find_invalid_utf8(text) != std::string::npos && invalid++ == 0) first_invalid = records.origin(r);
    }
    chars.push_back(n);
    empty += all_blank;
    if (token_count) {
      const size_t t = token_count(r);
      tokens.push_back(t);
      truncated += static_cast<int64_t>(t) > max_tokens;
    }
  }
  json stats = {{"rows", rows.size()}, {"empty", empty}, {"invalid_utf8", invalid}, {"characters", quantiles(chars)}};
  json warnings = json::array(), notes = json::array();
  if (token_count) {
    stats["tokens"] = quantiles(tokens);
    stats["truncated"] = truncated;
    if (truncated * 10 > rows.size())
      warnings.push_back(fmt::format("{} of {} texts ({}) are longer than max_tokens {} and lose their end; raise "
                                     "max_tokens if the end matters",
                                     truncated, rows.size(), share(truncated, rows.size()), max_tokens));
  }
  if (empty * 20 > rows.size())
    warnings.push_back(fmt::format("{} of {} texts are empty ({}); check the reader, or give the model another input",
                                   empty, rows.size(), share(empty, rows.size())));
  else if (empty > 0)
    notes.push_back(fmt::format("{} of {} texts are empty ({})", empty, rows.size(), share(empty, rows.size())));
  if (invalid > 0)
    warnings.push_back(fmt::format("{} texts hold invalid UTF-8 (first at {}); the reader's invalid_utf8 option "
                                   "decides whether they are replaced or refused",
                                   invalid, first_invalid));
  const json& c = stats["characters"];
  if (c.is_object())
    notes.push_back(fmt::format("text length in characters: median {}, 5-95% {}-{}, longest {}",
                                c["median"].get<size_t>(), c["p5"].get<size_t>(), c["p95"].get<size_t>(),
                                c["max"].get<size_t>()));
  return {{"stats", stats}, {"warnings", warnings}, {"notes", notes}};
}

}  // namespace adapt::text
