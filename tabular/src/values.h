#pragma once
// Raw field helpers shared by the tabular reader, block and baselines: trimming, missing markers,
// strict number parsing and calendar dates. Fields arrive as strings exactly as read.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adapt::tabular {

// The markers a raw value is treated as missing for when the recipe does not say otherwise.
const std::vector<std::string>& default_missing_values();

std::string_view trim(std::string_view text);

// True when the trimmed field equals one of `markers` (the empty string included when listed).
bool is_missing(std::string_view field, const std::vector<std::string>& markers);

// The whole trimmed field as a finite number, or nullopt ("12abc", "1e999", "" and "inf" fail).
std::optional<double> parse_number(std::string_view field);
// True when `value` is an integer that a double represents exactly.
bool is_integral(double value);

// A calendar date "YYYY-MM-DD" or "YYYY/MM/DD", optionally followed by 'T' or ' ' and a time that
// is ignored.
struct Date {
  int year, month, day;
};
std::optional<Date> parse_date(std::string_view field);
// Days since 1970-01-01 (negative before).
int64_t days_from_civil(const Date& date);
int day_of_week(const Date& date);  // Monday 0 .. Sunday 6, like pandas
int day_of_year(const Date& date);  // 1..366
int iso_week(const Date& date);     // 1..53
int days_in_month(int year, int month);

}  // namespace adapt::tabular
