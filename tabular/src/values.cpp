#include "values.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace adapt::tabular {

const std::vector<std::string>& default_missing_values() {
  static const std::vector<std::string> markers{"", "NA", "N/A", "NaN", "nan", "?"};
  return markers;
}

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool is_missing(std::string_view field, const std::vector<std::string>& markers) {
  const std::string_view value = trim(field);
  return std::any_of(markers.begin(), markers.end(), [&](const std::string& m) { return value == m; });
}

std::optional<double> parse_number(std::string_view field) {
  const std::string_view value = trim(field);
  if (value.empty() || value.size() > 64) return std::nullopt;
  char buffer[65];
  std::copy(value.begin(), value.end(), buffer);
  buffer[value.size()] = '\0';
  // strtod accepts "inf", "nan" and hex; a table's number is none of those.
  for (char c : value) {
    const bool ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
    if (!ok) return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const double parsed = std::strtod(buffer, &end);
  if (end != buffer + value.size() || errno == ERANGE || !std::isfinite(parsed)) return std::nullopt;
  return parsed;
}

bool is_integral(double value) { return std::floor(value) == value && std::abs(value) < 9.0e15; }

namespace {
bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

std::optional<int> parse_digits(std::string_view text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}
}  // namespace

int days_in_month(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

std::optional<Date> parse_date(std::string_view field) {
  std::string_view value = trim(field);
  const size_t time_at = value.find_first_of("T ");
  if (time_at != std::string_view::npos) value = value.substr(0, time_at);
  if (value.size() < 8) return std::nullopt;
  const char sep = value[4];
  if (sep != '-' && sep != '/') return std::nullopt;
  const size_t second = value.find(sep, 5);
  if (second == std::string_view::npos) return std::nullopt;
  const auto year = parse_digits(value.substr(0, 4));
  const auto month = parse_digits(value.substr(5, second - 5));
  const auto day = parse_digits(value.substr(second + 1));
  if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1) return std::nullopt;
  if (*day > days_in_month(*year, *month)) return std::nullopt;
  return Date{*year, *month, *day};
}

// Howard Hinnant's days_from_civil.
int64_t days_from_civil(const Date& date) {
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t m = date.month;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int day_of_week(const Date& date) {
  const int64_t days = days_from_civil(date);  // 1970-01-01 was a Thursday (3)
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

int day_of_year(const Date& date) {
  return static_cast<int>(days_from_civil(date) - days_from_civil(Date{date.year, 1, 1})) + 1;
}

int iso_week(const Date& date) {
  // The week with the year's first Thursday is week 1.
  const int weekday = day_of_week(date);  // Monday 0
  const int64_t thursday = days_from_civil(date) - weekday + 3;
  // Year of that Thursday: find by comparing with Jan 1 of neighbouring years.
  int year = date.year;
  if (thursday < days_from_civil(Date{year, 1, 1})) --year;
  else if (thursday >= days_from_civil(Date{year + 1, 1, 1})) ++year;
  return static_cast<int>((thursday - days_from_civil(Date{year, 1, 1})) / 7) + 1;
}

}  // namespace adapt::tabular
