#include "core/value_convert.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fast_float/fast_float.h>

#include "core/ascii.hpp"
#include "core/french_number.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// "1234.50" -> 1234 when the fraction is zero; false when it is not.
bool integral_value(const std::string& canonical, std::int64_t& out) {
    size_t dot = canonical.find('.');
    if (dot != std::string::npos && canonical.find_first_not_of('0', dot + 1) != std::string::npos) return false;
    std::string_view whole(canonical.data(), dot == std::string::npos ? canonical.size() : dot);
    errno = 0;
    char* end = nullptr;
    std::string copy(whole);
    long long v = std::strtoll(copy.c_str(), &end, 10);
    if (errno == ERANGE || end == copy.c_str()) return false;
    out = v;
    return true;
}

constexpr std::int64_t kPow10[19] = {1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
                                    100000000LL, 1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL,
                                    10000000000000LL, 100000000000000LL, 1000000000000000LL,
                                    10000000000000000LL, 100000000000000000LL, 1000000000000000000LL};

int digit_count(std::int64_t v) {
    if (v < 0) v = -v;
    int n = 1;
    while (n < 19 && v >= kPow10[n]) ++n;
    return n;
}

}  // namespace

bool parse_plain_decimal(std::string_view text, char decimal, std::int64_t& unscaled, int& scale,
                         std::string_view thousands) {
    // Spaces of every width group digits in French exports: when the file
    // groups with one of them, any of them is accepted.
    bool space_groups = thousands == " " || thousands == "\u00a0" || thousands == "\u202f";
    size_t i = 0, n = text.size();
    bool negative = false;
    if (i < n && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
    std::int64_t value = 0;
    int digits = 0, fraction = -1, group = -1;  // group: digits since the last separator, -1 = none yet
    bool seen_digit = false;
    for (; i < n; ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            seen_digit = true;
            if (value != 0 || c != '0') ++digits;
            if (digits > 18) return false;
            value = value * 10 + (c - '0');
            if (fraction >= 0) ++fraction;
            else if (group >= 0) ++group;
            continue;
        }
        if (c == decimal && fraction < 0) {
            if (group >= 0 && group != 3) return false;
            fraction = 0;
            continue;
        }
        // A thousands separator: only in the integer part, after 1-3 digits
        // or a full group of 3.
        size_t width = 0;
        if (space_groups) {
            if (c == ' ') width = 1;
            else if (text.substr(i, 2) == "\u00a0") width = 2;
            else if (text.substr(i, 3) == "\u202f") width = 3;
        } else if (!thousands.empty() && text.substr(i, thousands.size()) == thousands) {
            width = thousands.size();
        }
        if (width == 0 || fraction >= 0 || !seen_digit || (group >= 0 && group != 3) || (group < 0 && digits > 3))
            return false;
        group = 0;
        i += width - 1;
    }
    if (!seen_digit || fraction == 0 || (fraction < 0 && group >= 0 && group != 3)) return false;
    unscaled = negative ? -value : value;
    scale = fraction < 0 ? 0 : fraction;
    return true;
}

bool rescale_decimal(std::int64_t& unscaled, int& scale, int target_scale, int precision) {
    if (target_scale > 18 || target_scale < 0) return false;
    while (scale > target_scale) {
        // Drop one digit, rounding half away from zero on the last one dropped.
        std::int64_t q = unscaled / 10, r = unscaled % 10;
        if (scale - 1 == target_scale && (r >= 5 || r <= -5)) q += unscaled < 0 ? -1 : 1;
        unscaled = q;
        --scale;
    }
    if (scale < target_scale) {
        int shift = target_scale - scale;
        if (digit_count(unscaled) + shift > 18) return false;
        unscaled *= kPow10[shift];
        scale = target_scale;
    }
    return precision <= 0 || digit_count(unscaled) <= precision || unscaled == 0;
}

bool fits_numeric_typmod(const std::string& canonical, int precision, int scale) {
    size_t start = canonical.find_first_not_of("-0");
    if (start == std::string::npos || canonical[start] == '.') return true;  // |value| < 1
    size_t dot = canonical.find('.', start);
    size_t integer_digits = (dot == std::string::npos ? canonical.size() : dot) - start;
    return static_cast<int>(integer_digits) <= precision - scale;
}

bool parse_plain_date(std::string_view text, std::string_view order, Date& out) {
    auto digits = [&](size_t at, size_t n, int& v) {
        v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (text[i] < '0' || text[i] > '9') return false;
            v = v * 10 + (text[i] - '0');
        }
        return true;
    };
    if (text.size() != 10) return false;
    int a, b, c;
    if (text[4] == '-' && text[7] == '-') {  // ISO yyyy-mm-dd, whatever the file's order
        if (!digits(0, 4, a) || !digits(5, 2, b) || !digits(8, 2, c)) return false;
        out = Date{a, b, c};
    } else if ((text[2] == '/' || text[2] == '.' || text[2] == '-') && text[5] == text[2]) {
        if (!digits(0, 2, a) || !digits(3, 2, b) || !digits(6, 4, c)) return false;
        if (order == "MDY") out = Date{c, a, b};
        else if (order.empty() || order == "DMY") out = Date{c, b, a};
        else return false;
    } else {
        return false;
    }
    return valid_date(out.year, out.month, out.day);
}

bool parse_plain_timestamp(std::string_view text, std::string_view order, Timestamp& out) {
    if ((text.size() != 16 && text.size() != 19) || (text[10] != ' ' && text[10] != 'T')) return false;
    if (!parse_plain_date(text.substr(0, 10), order, out.date)) return false;
    auto two_digits = [&](size_t at, int limit, int& v) {
        if (text[at] < '0' || text[at] > '9' || text[at + 1] < '0' || text[at + 1] > '9') return false;
        v = (text[at] - '0') * 10 + (text[at + 1] - '0');
        return v < limit;
    };
    int second = 0;
    if (text[13] != ':' || !two_digits(11, 24, out.hour) || !two_digits(14, 60, out.minute)) return false;
    if (text.size() == 19 && (text[16] != ':' || !two_digits(17, 60, second))) return false;
    out.second = second;
    return true;
}

bool parse_boolean(std::string_view text, bool& out) {
    text = trim_blanks(text);
    static constexpr std::string_view yes[] = {"oui", "vrai", "true", "yes", "o", "y", "t", "1", "x"};
    static constexpr std::string_view no[] = {"non", "faux", "false", "no", "n", "f", "0"};
    for (auto w : yes)
        if (equals_ignoring_case(text, w)) return out = true, true;
    for (auto w : no)
        if (equals_ignoring_case(text, w)) return out = false, true;
    return false;
}

bool ValueConverter::to_number(std::string_view text, FieldKind kind, std::string& canonical,
                               std::string& reason) const {
    // A cell typed as a number by Excel is written with '.'; text follows the file.
    NumberResult parsed = parse_number(text, kind == FieldKind::Number ? '.' : conventions_.decimal);
    if (!parsed.value) {
        reason = parsed.reason;
        return false;
    }
    canonical = std::move(*parsed.value);
    return true;
}

bool ValueConverter::convert(std::string_view text, FieldKind kind, ValueType type, Converted& out,
                             std::string& reason) const {
    switch (type) {
        case ValueType::Text:
            return true;
        case ValueType::Boolean:
            if (parse_boolean(text, out.b)) return true;
            reason = "not a boolean (oui/non, vrai/faux, true/false, 1/0)";
            return false;
        case ValueType::Int16:
        case ValueType::Int32:
        case ValueType::Int64: {
            // A plain integer ("12", "-3"), the usual case, skips the general
            // parser; "1 234", "12,0" or "12 bt" still go through it.
            const char* end = text.data() + text.size();
            auto plain = std::from_chars(text.data(), end, out.i);
            if (plain.ec != std::errc() || plain.ptr != end) {
                if (!to_number(text, kind, out.numeric, reason)) return false;
                if (!integral_value(out.numeric, out.i)) {
                    reason = "not a whole number";
                    return false;
                }
            }
            std::int64_t lo = type == ValueType::Int16   ? std::numeric_limits<std::int16_t>::min()
                              : type == ValueType::Int32 ? std::numeric_limits<std::int32_t>::min()
                                                         : std::numeric_limits<std::int64_t>::min();
            std::int64_t hi = type == ValueType::Int16   ? std::numeric_limits<std::int16_t>::max()
                              : type == ValueType::Int32 ? std::numeric_limits<std::int32_t>::max()
                                                         : std::numeric_limits<std::int64_t>::max();
            if (out.i < lo || out.i > hi) {
                reason = "whole number out of range for the column's type";
                return false;
            }
            return true;
        }
        case ValueType::Float32:
        case ValueType::Float64: {
            if (!to_number(text, kind, out.numeric, reason)) return false;
            auto res = fast_float::from_chars(out.numeric.data(), out.numeric.data() + out.numeric.size(), out.f);
            if (res.ec != std::errc() || !std::isfinite(out.f)) {
                reason = "number out of range for a floating-point column";
                return false;
            }
            return true;
        }
        case ValueType::Numeric: {
            char decimal = kind == FieldKind::Number ? '.' : conventions_.decimal;
            out.scaled = decimal != 0 && parse_plain_decimal(text, decimal, out.i, out.scale,
                                                             kind == FieldKind::Number ? "" : conventions_.thousands);
            if (out.scaled) return true;
            if (!to_number(text, kind, out.numeric, reason)) return false;
            out.scaled = parse_plain_decimal(out.numeric, '.', out.i, out.scale);
            return true;
        }
        case ValueType::Date: {
            if (parse_plain_date(text, kind == FieldKind::Text ? std::string_view(conventions_.date_format) : "YMD",
                                 out.date))
                return true;
            // Excel date cells are rendered as ISO dates; text follows the file.
            DateResult parsed = kind == FieldKind::Date || kind == FieldKind::DateTime
                                    ? parse_date(text.substr(0, 10), "YMD")
                                    : parse_date(text, conventions_.date_format);
            if (!parsed.value) {
                reason = parsed.reason;
                return false;
            }
            out.date = *parsed.value;
            return true;
        }
        case ValueType::Timestamp: {
            if (parse_plain_timestamp(text, kind == FieldKind::Text ? std::string_view(conventions_.date_format) : "YMD",
                                      out.timestamp))
                return true;
            TimestampResult parsed = parse_timestamp(
                text, kind == FieldKind::Date || kind == FieldKind::DateTime ? std::string_view("YMD")
                                                                              : std::string_view(conventions_.date_format));
            if (!parsed.value) {
                reason = parsed.reason;
                return false;
            }
            out.timestamp = *parsed.value;
            return true;
        }
    }
    reason = "unsupported column type";
    return false;
}

}  // namespace crm
