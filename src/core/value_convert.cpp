#include "core/value_convert.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fast_float/fast_float.h>

#include "core/french_number.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

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

}  // namespace

bool parse_boolean(std::string_view text, bool& out) {
    text = trim(text);
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
            if (!to_number(text, kind, out.numeric, reason)) return false;
            if (!integral_value(out.numeric, out.i)) {
                reason = "not a whole number";
                return false;
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
        case ValueType::Numeric:
            return to_number(text, kind, out.numeric, reason);
        case ValueType::Date: {
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
