#include "core/french_date.hpp"

#include <cmath>
#include <vector>

#include <fast_float/fast_float.h>

#include "core/french_number.hpp"
#include "core/norm_util.hpp"
#include "core/unaccent.hpp"

#include "core/core_only.hpp"

namespace crm {

using normdetail::is_alpha;
using normdetail::is_digit;

long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Date civil_from_days(long z) {
    z += 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const long doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long y = yoe + era * 400;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long mp = (5 * doy + 2) / 153;
    const long d = doy - (153 * mp + 2) / 5 + 1;
    const long m = mp < 10 ? mp + 3 : mp - 9;
    return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

bool valid_date(int y, int m, int d) {
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = kDays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) dim = 29;
    return d <= dim;
}

namespace {

struct Parsed {
    Timestamp ts{};
    std::string reason;
    bool ok = false;
};

Parsed fail(std::string why) {
    Parsed p;
    p.reason = std::move(why);
    return p;
}

int month_from_word(std::string_view w) {
    struct M {
        const char* w;
        int m;
    };
    static constexpr M kMonths[] = {
        {"janvier", 1},  {"janv", 1},      {"jan", 1},     {"january", 1},   {"fevrier", 2},  {"fevr", 2},
        {"fev", 2},      {"feb", 2},       {"february", 2}, {"mars", 3},     {"mar", 3},      {"march", 3},
        {"avril", 4},    {"avr", 4},       {"apr", 4},     {"april", 4},     {"mai", 5},      {"may", 5},
        {"juin", 6},     {"jun", 6},       {"june", 6},    {"juillet", 7},   {"juil", 7},     {"jul", 7},
        {"july", 7},     {"aout", 8},      {"aou", 8},     {"aug", 8},       {"august", 8},   {"septembre", 9},
        {"sept", 9},     {"sep", 9},       {"september", 9}, {"octobre", 10}, {"oct", 10},    {"october", 10},
        {"novembre", 11}, {"nov", 11},     {"november", 11}, {"decembre", 12}, {"dec", 12},   {"december", 12},
    };
    for (const auto& m : kMonths) {
        if (w == m.w) return m.m;
    }
    return 0;
}

bool ignorable_word(std::string_view w) {
    static constexpr const char* kWords[] = {"le",   "er",    "lundi", "mardi",  "mercredi", "jeudi",    "vendredi",
                                             "samedi", "dimanche", "lun", "mer", "jeu", "ven", "sam", "dim",
                                             "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                             "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "th", "st",
                                             "nd", "rd", "a", "at", "of", "the"};
    for (const char* k : kWords) {
        if (w == k) return true;
    }
    return false;
}

int pivot_year(int yy) { return yy < 70 ? 2000 + yy : 1900 + yy; }

std::string date_error(std::string_view text, int y, int m, int d) {
    return "invalid date " + normdetail::quote_excerpt(text) + ": year " + std::to_string(y) + ", month " +
           std::to_string(m) + ", day " + std::to_string(d) + " does not exist";
}

// Parses "hh:mm[:ss[.fff]]", "hhhmm" (14h30), with optional am/pm and 'z'.
bool parse_time(std::string_view s, Timestamp& ts, std::string& why) {
    std::size_t i = 0;
    auto num = [&](int maxd, int& out) {
        std::size_t st = i;
        out = 0;
        while (i < s.size() && is_digit(s[i]) && i - st < static_cast<std::size_t>(maxd)) out = out * 10 + (s[i++] - '0');
        return i > st;
    };
    int h = 0, mi = 0;
    double sec = 0;
    if (!num(2, h)) return false;
    if (i >= s.size() || (s[i] != ':' && s[i] != 'h')) return false;
    const bool french_h = s[i] == 'h';
    ++i;
    if (!num(2, mi)) {
        if (!french_h) return false;  // "14h" = 14:00
        mi = 0;
    } else if (i < s.size() && s[i] == ':' && !french_h) {
        ++i;
        int whole = 0;
        std::size_t st = i;
        if (!num(2, whole)) return false;
        if (i - st != 2) return false;
        sec = whole;
        if (i < s.size() && (s[i] == '.' || s[i] == ',') && i + 1 < s.size() && is_digit(s[i + 1])) {
            ++i;
            double scale = 0.1;
            while (i < s.size() && is_digit(s[i])) {
                sec += (s[i++] - '0') * scale;
                scale /= 10;
            }
        }
    }
    while (i < s.size() && s[i] == ' ') ++i;
    std::string_view rest = s.substr(i);
    if (rest == "am" || rest == "pm" || rest == "a.m." || rest == "p.m.") {
        if (h < 1 || h > 12) {
            why = "hour out of range";
            return false;
        }
        if (rest[0] == 'a') {
            h = h == 12 ? 0 : h;
        } else {
            h = h == 12 ? 12 : h + 12;
        }
    } else if (!(rest.empty() || rest == "z" || rest == "utc")) {
        why = (rest[0] == '+' || rest[0] == '-') ? "time zone offsets are not supported" : "";
        return false;
    }
    if (h > 23 || mi > 59 || sec >= 60) {
        why = "time out of range";
        return false;
    }
    ts.hour = h;
    ts.minute = mi;
    ts.second = sec;
    return true;
}

struct DTok {
    bool is_num;
    int value;
    int ndigits;
    std::string_view word;
};

Parsed parse_auto(std::string_view text, const std::string& s, DateOrder order) {
    // Locate the time part: the digit run before the first ':' or a "14h30".
    std::size_t tpos = std::string::npos;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == ':' || (s[i] == 'h' && i > 0 && is_digit(s[i - 1]) && (i + 1 == s.size() || is_digit(s[i + 1]) ||
                                                                           s[i + 1] == ' '))) {
            std::size_t j = i;
            while (j > 0 && is_digit(s[j - 1])) --j;
            if (j == i) break;
            // "2024-03-15 14h" must keep the day: only a run after a separator.
            if (j > 0 && !(s[j - 1] == ' ' || s[j - 1] == 't' || s[j - 1] == ',')) break;
            if (s[i] == 'h' && j == 0) break;
            tpos = j;
            break;
        }
    }
    Parsed p;
    std::string_view date_part(s), time_part;
    if (tpos != std::string::npos) {
        date_part = std::string_view(s).substr(0, tpos);
        time_part = std::string_view(s).substr(tpos);
        std::string why;
        if (!parse_time(time_part, p.ts, why))
            return fail("invalid time in " + normdetail::quote_excerpt(text) + (why.empty() ? "" : ": " + why));
        while (!date_part.empty() && (date_part.back() == ' ' || date_part.back() == 't' || date_part.back() == ','))
            date_part.remove_suffix(1);
    }
    std::vector<DTok> toks;
    for (std::size_t i = 0; i < date_part.size();) {
        const char c = date_part[i];
        if (is_digit(c)) {
            std::size_t j = i;
            long v = 0;
            while (j < date_part.size() && is_digit(date_part[j])) {
                if (v < 100000000) v = v * 10 + (date_part[j] - '0');
                ++j;
            }
            if (j - i > 8) return fail("not a date: " + normdetail::quote_excerpt(text));
            toks.push_back(DTok{true, static_cast<int>(v), static_cast<int>(j - i), {}});
            i = j;
        } else if (c >= 'a' && c <= 'z') {
            std::size_t j = i;
            while (j < date_part.size() && date_part[j] >= 'a' && date_part[j] <= 'z') ++j;
            std::string_view w = date_part.substr(i, j - i);
            if (!ignorable_word(w)) toks.push_back(DTok{false, 0, 0, w});
            i = j;
        } else if (c == '/' || c == '-' || c == '.' || c == ' ' || c == ',') {
            ++i;
        } else {
            return fail("not a date: " + normdetail::quote_excerpt(text));
        }
    }
    int y = 0, m = 0, d = 0;
    auto year_of = [&](const DTok& t) {
        if (t.ndigits == 4) return t.value;
        if (t.ndigits == 2) return pivot_year(t.value);
        return -1;
    };
    int words = 0, word_at = -1;
    for (std::size_t k = 0; k < toks.size(); ++k) {
        if (!toks[k].is_num) {
            ++words;
            word_at = static_cast<int>(k);
        }
    }
    if (toks.size() == 1 && words == 0 && toks[0].ndigits == 8) {  // 20240315
        const int v = toks[0].value;
        y = v / 10000;
        m = v / 100 % 100;
        d = v % 100;
        if (y < 1000) return fail("not a date: " + normdetail::quote_excerpt(text));
    } else if (toks.size() == 3 && words == 0) {
        const DTok &a = toks[0], &b = toks[1], &c = toks[2];
        if (a.ndigits > 2 || order == DateOrder::YMD) {
            if (a.ndigits != 4 && a.ndigits != 2) return fail("not a date: " + normdetail::quote_excerpt(text));
            y = year_of(a);
            m = b.value;
            d = c.value;
            if (b.ndigits > 2 || c.ndigits > 2) return fail("not a date: " + normdetail::quote_excerpt(text));
        } else {
            if (a.ndigits > 2 || b.ndigits > 2) return fail("not a date: " + normdetail::quote_excerpt(text));
            y = year_of(c);
            if (y < 0) return fail("year must have 2 or 4 digits in " + normdetail::quote_excerpt(text));
            if (order == DateOrder::MDY) {
                m = a.value;
                d = b.value;
            } else {
                d = a.value;
                m = b.value;
            }
        }
    } else if (toks.size() == 3 && words == 1) {
        m = month_from_word(toks[word_at].word);
        if (m == 0) return fail("unknown month name in " + normdetail::quote_excerpt(text));
        const DTok* nums[2];
        int k = 0;
        for (const auto& t : toks) {
            if (t.is_num) nums[k++] = &t;
        }
        if (nums[0]->ndigits == 4) {  // 2024 oct 03
            y = nums[0]->value;
            if (nums[1]->ndigits > 2) return fail("not a date: " + normdetail::quote_excerpt(text));
            d = nums[1]->value;
        } else {  // 3 octobre 2024, oct 3 2024
            if (nums[0]->ndigits > 2) return fail("not a date: " + normdetail::quote_excerpt(text));
            d = nums[0]->value;
            y = year_of(*nums[1]);
            if (y < 0) return fail("year must have 2 or 4 digits in " + normdetail::quote_excerpt(text));
        }
    } else {
        return fail(text.empty() ? "empty value" : "not a date: " + normdetail::quote_excerpt(text));
    }
    if (!valid_date(y, m, d)) return fail(date_error(text, y, m, d));
    p.ts.date = Date{y, m, d};
    p.ok = true;
    return p;
}

Parsed parse_pattern(std::string_view text, const std::string& s, std::string_view pattern) {
    std::string pat;
    for (char c : pattern) pat.push_back(normdetail::lower_ascii(c));
    int y = -1, m = -1, d = -1, h = 0, mi = 0;
    double sec = 0;
    bool after_hour = false;
    std::size_t i = 0, k = 0;
    auto bad = [&]() { return fail("date " + normdetail::quote_excerpt(text) + " does not match format " +
                                   normdetail::quote_excerpt(pattern)); };
    auto take = [&](int mind, int maxd, int& out) {
        std::size_t st = i;
        out = 0;
        while (i < s.size() && is_digit(s[i]) && i - st < static_cast<std::size_t>(maxd)) out = out * 10 + (s[i++] - '0');
        return i - st >= static_cast<std::size_t>(mind);
    };
    auto starts = [&](const char* tok) { return pat.compare(k, std::string_view(tok).size(), tok) == 0; };
    while (k < pat.size()) {
        if (starts("yyyy")) {
            if (!take(4, 4, y)) return bad();
            k += 4;
        } else if (starts("yy")) {
            int v;
            if (!take(2, 2, v)) return bad();
            y = pivot_year(v);
            k += 2;
        } else if (starts("month") || starts("mon") || starts("mmm")) {
            k += starts("month") ? 5 : 3;
            while (k < pat.size() && pat[k] == 'm') ++k;  // mmmm
            std::size_t st = i;
            while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
            m = month_from_word(std::string_view(s).substr(st, i - st));
            if (m == 0) return bad();
            if (i < s.size() && s[i] == '.') ++i;
        } else if (starts("mi") || (after_hour && starts("mm"))) {
            if (!take(1, 2, mi)) return bad();
            k += 2;
        } else if (starts("mm") || starts("m")) {
            if (!take(1, 2, m)) return bad();
            k += starts("mm") ? 2 : 1;
        } else if (starts("dd") || starts("d")) {
            if (!take(1, 2, d)) return bad();
            k += starts("dd") ? 2 : 1;
        } else if (starts("hh24") || starts("hh") || starts("h")) {
            if (!take(1, 2, h)) return bad();
            k += starts("hh24") ? 4 : starts("hh") ? 2 : 1;
            after_hour = true;
        } else if (starts("ss")) {
            int v;
            if (!take(1, 2, v)) return bad();
            sec = v;
            k += 2;
            if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1]) &&
                (k >= pat.size() || (pat[k] != '.' && pat[k] != ','))) {
                ++i;
                double scale = 0.1;
                while (i < s.size() && is_digit(s[i])) {
                    sec += (s[i++] - '0') * scale;
                    scale /= 10;
                }
            }
        } else if (pat[k] == ' ') {
            if (i >= s.size() || (s[i] != ' ' && s[i] != 't')) return bad();
            while (i < s.size() && s[i] == ' ') ++i;
            ++k;
        } else {
            if (is_alpha(pat[k]) && pat[k] != 't') return fail("unknown date format " + normdetail::quote_excerpt(pattern));
            if (i >= s.size() || s[i] != pat[k]) return bad();
            ++i;
            ++k;
        }
    }
    if (i != s.size()) return bad();
    if (y < 0 || m < 0 || d < 0) return fail("date format " + normdetail::quote_excerpt(pattern) + " needs a year, a month and a day");
    if (!valid_date(y, m, d)) return fail(date_error(text, y, m, d));
    if (h > 23 || mi > 59 || sec >= 60) return fail("invalid time in " + normdetail::quote_excerpt(text));
    Parsed p;
    p.ts = Timestamp{Date{y, m, d}, h, mi, sec};
    p.ok = true;
    return p;
}

Parsed parse_excel(std::string_view text, bool system1904) {
    NumberResult nr = parse_number(text, 0);
    if (!nr.value) return fail("not an Excel date serial: " + normdetail::quote_excerpt(text));
    const std::string& v = *nr.value;
    double serial = 0;
    auto r = fast_float::from_chars(v.data(), v.data() + v.size(), serial);
    if (r.ec != std::errc() || !std::isfinite(serial))
        return fail("not an Excel date serial: " + normdetail::quote_excerpt(text));
    if (serial < 0 || serial >= 2958466) return fail("Excel date serial out of range: " + normdetail::quote_excerpt(text));
    double whole = std::floor(serial);
    // Time of day, rounded to the millisecond (0.5 -> 12:00:00, not 11:59:59.999...).
    long ms = std::lround((serial - whole) * 86400000.0);
    if (ms >= 86400000) {
        ms -= 86400000;
        whole += 1;
    }
    long days;  // days since 1970-01-01
    const long n = static_cast<long>(whole);
    if (system1904) {
        days = days_from_civil(1904, 1, 1) + n;
    } else {
        if (n == 0) return fail("Excel date serial 0 is not a date (1900-01-00)");
        if (n == 60)
            return fail("Excel date serial 60 is 1900-02-29, a day that does not exist (Excel's 1900 leap-year bug)");
        days = n < 60 ? days_from_civil(1899, 12, 31) + n : days_from_civil(1899, 12, 30) + n;
    }
    Parsed p;
    p.ts.date = civil_from_days(days);
    if (!valid_date(p.ts.date.year, p.ts.date.month, p.ts.date.day))
        return fail("Excel date serial out of range: " + normdetail::quote_excerpt(text));
    p.ts.hour = static_cast<int>(ms / 3600000);
    p.ts.minute = static_cast<int>(ms / 60000 % 60);
    p.ts.second = static_cast<double>(ms % 60000) / 1000.0;
    p.ok = true;
    return p;
}

bool iequals(std::string_view a, const char* b) {
    std::string_view bb(b);
    if (a.size() != bb.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (normdetail::lower_ascii(a[i]) != bb[i]) return false;
    }
    return true;
}

Parsed parse_any(std::string_view text, std::string_view format) {
    std::string s;
    unaccent_append(text, s);
    for (char& c : s) c = normdetail::lower_ascii(c);
    std::size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n')) --b;
    s = s.substr(a, b - a);
    if (s.empty()) return fail("empty value");
    if (format.empty() || iequals(format, "auto") || iequals(format, "dmy")) return parse_auto(text, s, format.empty() || iequals(format, "auto") ? DateOrder::Auto : DateOrder::DMY);
    if (iequals(format, "mdy")) return parse_auto(text, s, DateOrder::MDY);
    if (iequals(format, "ymd")) return parse_auto(text, s, DateOrder::YMD);
    if (iequals(format, "excel") || iequals(format, "excel1900")) return parse_excel(s, false);
    if (iequals(format, "excel1904")) return parse_excel(s, true);
    return parse_pattern(text, s, format);
}

}  // namespace

DateResult parse_date(std::string_view text, std::string_view format) {
    Parsed p = parse_any(text, format);
    DateResult r;
    if (p.ok) {
        r.value = p.ts.date;
    } else {
        r.reason = std::move(p.reason);
    }
    return r;
}

TimestampResult parse_timestamp(std::string_view text, std::string_view format) {
    Parsed p = parse_any(text, format);
    TimestampResult r;
    if (p.ok) {
        r.value = p.ts;
    } else {
        r.reason = std::move(p.reason);
    }
    return r;
}

}  // namespace crm
