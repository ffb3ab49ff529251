#include "core/cron_schedule.hpp"

#include <array>
#include <cctype>

#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

struct FieldSpec {
    const char* name;
    int low;
    int high;
    // Names accepted for single values and range ends, indexed from `low`.
    const std::array<const char*, 12>* names;
};

constexpr std::array<const char*, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                     "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<const char*, 12> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr},
    {"hour", 0, 23, nullptr},
    {"day of month", 1, 31, nullptr},
    {"month", 1, 12, &kMonthNames},
    {"day of week", 0, 7, &kDayNames},
};

[[noreturn]] void fail(std::string_view expression, const std::string& what) {
    throw Error(sqlstate::kInvalidParameterValue, "invalid schedule \"" + excerpt(expression, 100) + "\": " + what,
                {},
                "Write 5 fields, minute hour day-of-month month day-of-week, in the zone's local time "
                "(\"0 9 * * 1-5\": 09:00 on weekdays), or @hourly, @daily, @weekly, @monthly, @yearly.");
}

class FieldParser {
public:
    FieldParser(std::string_view expression, const FieldSpec& spec, std::string_view text)
        : expression_(expression), spec_(spec), text_(text) {}

    // The values of the field, in a bitset of spec.high + 1 bits.
    std::bitset<64> parse() {
        std::bitset<64> values;
        std::size_t start = 0;
        while (true) {
            std::size_t comma = text_.find(',', start);
            std::string_view item = text_.substr(start, comma == std::string_view::npos ? comma : comma - start);
            add_item(item, values);
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        return values;
    }

private:
    [[noreturn]] void bad(std::string_view item, const std::string& why) const {
        fail(expression_, std::string(spec_.name) + " \"" + excerpt(item, 40) + "\" " + why);
    }

    int value(std::string_view item, std::string_view token) const {
        if (token.empty()) bad(item, "is missing a number");
        if (std::isalpha(static_cast<unsigned char>(token[0]))) {
            if (spec_.names != nullptr && token.size() == 3) {
                for (std::size_t i = 0; i < spec_.names->size() && (*spec_.names)[i] != nullptr; ++i) {
                    const char* name = (*spec_.names)[i];
                    bool same = true;
                    for (std::size_t k = 0; k < 3; ++k) {
                        same = same && std::tolower(static_cast<unsigned char>(token[k])) == name[k];
                    }
                    if (same) return spec_.low + static_cast<int>(i);
                }
            }
            bad(item, spec_.names ? "is not a number or a 3-letter name" : "is not a number");
        }
        int n = 0;
        for (char c : token) {
            if (!std::isdigit(static_cast<unsigned char>(c))) bad(item, "is not a number");
            n = n * 10 + (c - '0');
            if (n > 1000) break;
        }
        if (n < spec_.low || n > spec_.high) {
            bad(item, "is out of range " + std::to_string(spec_.low) + "-" + std::to_string(spec_.high));
        }
        return n;
    }

    void add_item(std::string_view item, std::bitset<64>& values) const {
        if (item.empty()) bad(item, "is empty (two commas, or a trailing one)");
        std::string_view range = item;
        int step = 1;
        std::size_t slash = item.find('/');
        if (slash != std::string_view::npos) {
            range = item.substr(0, slash);
            std::string_view step_text = item.substr(slash + 1);
            if (step_text.empty() || step_text.find_first_not_of("0123456789") != std::string_view::npos ||
                step_text.size() > 3) {
                bad(item, "has a step that is not a number");
            }
            step = std::stoi(std::string(step_text));
            if (step < 1 || step > spec_.high) {
                bad(item, "has a step out of range 1-" + std::to_string(spec_.high));
            }
        }
        int first = spec_.low;
        int last = spec_.high;
        if (range != "*") {
            std::size_t dash = range.find('-');
            if (dash == std::string_view::npos) {
                first = value(item, range);
                // "5/15" is "5-59/15"; a bare value is itself.
                last = slash == std::string_view::npos ? first : spec_.high;
            } else {
                first = value(item, range.substr(0, dash));
                last = value(item, range.substr(dash + 1));
                if (first > last) bad(item, "is a range that ends before it starts");
            }
        }
        for (int v = first; v <= last; v += step) values.set(static_cast<std::size_t>(v));
    }

    std::string_view expression_;
    const FieldSpec& spec_;
    std::string_view text_;
};

std::string_view macro(std::string_view name) {
    if (name == "@hourly") return "0 * * * *";
    if (name == "@daily" || name == "@midnight") return "0 0 * * *";
    if (name == "@weekly") return "0 0 * * 0";
    if (name == "@monthly") return "0 0 1 * *";
    if (name == "@yearly" || name == "@annually") return "0 0 1 1 *";
    return {};
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A field as pg_cron reads it back: "*" only where the user starred a full
// field (so the day-of-month/day-of-week rule keeps its meaning), runs of
// three or more as ranges, the rest as a list.
template <std::size_t N>
std::string field_text(const std::bitset<N>& values, int low, int high, bool star) {
    bool full = true;
    for (int v = low; v <= high; ++v) full = full && values.test(static_cast<std::size_t>(v));
    if (full && star) return "*";
    std::string out;
    for (int v = low; v <= high;) {
        if (!values.test(static_cast<std::size_t>(v))) {
            ++v;
            continue;
        }
        int end = v;
        while (end + 1 <= high && values.test(static_cast<std::size_t>(end + 1))) ++end;
        if (!out.empty()) out += ',';
        out += std::to_string(v);
        if (end - v >= 2) {
            out += '-' + std::to_string(end);
        } else if (end == v + 1) {
            out += ',' + std::to_string(end);
        }
        v = end + 1;
    }
    return out;
}

int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static constexpr int kDays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && leap(year) ? 29 : kDays[month];
}

bool day_matches(const CronSchedule& s, int year, int month, int day) {
    if (!s.months[month]) return false;
    bool by_day = s.days[day];
    bool by_week = s.weekdays[weekday(year, month, day)];
    return s.day_star || s.weekday_star ? by_day && by_week : by_day || by_week;
}

}  // namespace

CronSchedule parse_cron(std::string_view expression) {
    std::string_view text = expression;
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    if (!text.empty() && text.front() == '@') {
        std::string_view expanded = macro(text);
        if (expanded.empty()) fail(expression, "unknown shortcut (use @hourly, @daily, @weekly, @monthly or @yearly)");
        text = expanded;
    }
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < text.size()) {
        if (is_blank(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && !is_blank(text[end])) ++end;
        fields.push_back(text.substr(i, end - i));
        i = end;
    }
    if (fields.size() != 5) {
        fail(expression, "it has " + std::to_string(fields.size()) +
                             " fields, expected 5 (minute hour day-of-month month day-of-week)");
    }
    std::bitset<64> values[5];
    for (int f = 0; f < 5; ++f) values[f] = FieldParser(expression, kFields[f], fields[f]).parse();

    CronSchedule out;
    for (int v = 0; v < 60; ++v) out.minutes[v] = values[0][v];
    for (int v = 0; v < 24; ++v) out.hours[v] = values[1][v];
    for (int v = 1; v <= 31; ++v) out.days[v] = values[2][v];
    for (int v = 1; v <= 12; ++v) out.months[v] = values[3][v];
    for (int v = 0; v < 7; ++v) out.weekdays[v] = values[4][v];
    if (values[4][7]) out.weekdays[0] = true;
    out.minute_star = fields[0].front() == '*';
    out.hour_star = fields[1].front() == '*';
    out.day_star = fields[2].front() == '*';
    out.weekday_star = fields[4].front() == '*';
    return out;
}

std::string gmt_superset(const CronSchedule& local, const std::vector<int>& utc_offsets) {
    if (utc_offsets.empty()) {
        throw Error(sqlstate::kInvalidParameterValue, "the time zone has no UTC offset to schedule with");
    }
    std::bitset<60> minutes;
    std::bitset<24> hours;
    bool changes_day = false;
    for (int offset : utc_offsets) {
        if (offset <= -24 * 60 || offset >= 24 * 60) {
            throw Error(sqlstate::kInvalidParameterValue,
                        "UTC offset of " + std::to_string(offset) + " minutes is beyond 23:59");
        }
        for (int h = 0; h < 24; ++h) {
            if (!local.hours[h]) continue;
            for (int m = 0; m < 60; ++m) {
                if (!local.minutes[m]) continue;
                int utc = h * 60 + m - offset;
                int day_shift = floor_div(utc, 24 * 60);
                utc -= day_shift * 24 * 60;
                changes_day = changes_day || day_shift != 0;
                minutes.set(static_cast<std::size_t>(utc % 60));
                hours.set(static_cast<std::size_t>(utc / 60));
            }
        }
    }
    std::string out = field_text(minutes, 0, 59, true) + ' ' + field_text(hours, 0, 23, true) + ' ';
    if (changes_day) return out + "* * *";
    return out + field_text(local.days, 1, 31, local.day_star) + ' ' + field_text(local.months, 1, 12, true) + ' ' +
           field_text(local.weekdays, 0, 6, local.weekday_star);
}

int weekday(int year, int month, int day) {
    // Days since 1970-01-01 (a Thursday), after H. Hinnant's days_from_civil.
    int y = year - (month <= 2 ? 1 : 0);
    int era = floor_div(y, 400);
    int yoe = y - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = static_cast<long>(era) * 146097 + doe - 719468;
    long w = (days + 4) % 7;
    return static_cast<int>(w < 0 ? w + 7 : w);
}

bool cron_matches(const CronSchedule& schedule, const WallClock& at) {
    if (at.minute < 0 || at.minute > 59 || at.hour < 0 || at.hour > 23 || at.day < 1 || at.day > 31 ||
        at.month < 1 || at.month > 12) {
        return false;
    }
    return schedule.minutes[at.minute] && schedule.hours[at.hour] && day_matches(schedule, at.year, at.month, at.day);
}

bool cron_next(const CronSchedule& schedule, const WallClock& after, WallClock* next) {
    if (after.month < 1 || after.month > 12 || after.day < 1 || after.day > days_in_month(after.year, after.month)) {
        return false;
    }
    int year = after.year, month = after.month, day = after.day;
    int from = after.hour * 60 + after.minute + 1;  // first minute of the day still to look at
    for (int n = 0; n < 8 * 366 + 1; ++n) {
        if (from < 24 * 60 && day_matches(schedule, year, month, day)) {
            for (int t = from; t < 24 * 60; ++t) {
                if (schedule.hours[t / 60] && schedule.minutes[t % 60]) {
                    *next = WallClock{year, month, day, t / 60, t % 60};
                    return true;
                }
            }
        }
        from = 0;
        if (++day > days_in_month(year, month)) {
            day = 1;
            if (++month > 12) {
                month = 1;
                ++year;
            }
        }
    }
    return false;
}

bool cron_due(const CronSchedule& schedule, const WallClock& at, bool repeated) {
    if (repeated && !schedule.minute_star && !schedule.hour_star) return false;
    return cron_matches(schedule, at);
}

}  // namespace crm
