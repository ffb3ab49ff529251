// Dates and timestamps as written in French business files. See docs/normalization.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm {

enum class DateOrder { Auto, DMY, MDY, YMD };

struct Date {
    int year, month, day;
};
struct Timestamp {
    Date date;
    int hour, minute;
    double second;
};
struct DateResult {
    std::optional<Date> value;
    std::string reason;  // set when !value
};
struct TimestampResult {
    std::optional<Timestamp> value;
    std::string reason;  // set when !value
};

// format: "" (auto: day first, then ISO year first), "DMY", "MDY", "YMD",
// "excel" (1900 serial, Lotus leap-year bug kept), "excel1904", or a pattern
// built from dd d mm m yyyy yy mon hh mi ss (mm after hh = minutes), e.g. "dd/mm/yyyy".
// Two-digit years: 00-69 -> 2000-2069, 70-99 -> 1970-1999.
// A time part, when present, is validated and dropped by parse_date.
DateResult parse_date(std::string_view text, std::string_view format = {});
TimestampResult parse_timestamp(std::string_view text, std::string_view format = {});

// Helpers (exposed for tests): days since 1970-01-01 and back.
long days_from_civil(int year, int month, int day);
Date civil_from_days(long days);
bool valid_date(int year, int month, int day);

}  // namespace crm
