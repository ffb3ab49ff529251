#include "core/french_number.hpp"

#include "core/norm_util.hpp"

#include "core/core_only.hpp"

namespace crm {
namespace {

using normdetail::is_digit;

constexpr char kCurrency = '$';  // every currency sign is folded to this

// ASCII view of the input: spaces of every kind -> ' ', typographic
// apostrophes -> '\'', minus sign -> '-', currency signs -> '$', letters
// lowered, anything else non-ASCII -> '\x01' (never valid).
std::string fold(std::string_view in) {
    std::string a;
    a.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        char32_t cp;
        std::size_t n = normdetail::decode_utf8(in, i, cp);
        if (n == 0) {
            a.push_back('\x01');
            ++i;
            continue;
        }
        i += n;
        if (cp < 0x80) {
            char c = static_cast<char>(cp);
            if (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') c = ' ';
            a.push_back(normdetail::lower_ascii(c));
        } else if (cp == 0xA0 || cp == 0x202F || (cp >= 0x2000 && cp <= 0x200A)) {
            a.push_back(' ');
        } else if (cp == 0x2019 || cp == 0x02BC || cp == 0x2018) {
            a.push_back('\'');
        } else if (cp == 0x2212 || cp == 0x2013) {
            a.push_back('-');
        } else if (cp == 0x20AC || cp == 0xA3 || cp == 0xA5) {
            a.push_back(kCurrency);
        } else {
            a.push_back('\x01');
        }
    }
    return a;
}

void trim(std::string_view& s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
}

bool ends_with_word(std::string_view s, std::string_view w) {
    if (s.size() < w.size() || s.substr(s.size() - w.size()) != w) return false;
    if (s.size() == w.size()) return true;
    return !normdetail::is_alpha(s[s.size() - w.size() - 1]);
}
bool starts_with_word(std::string_view s, std::string_view w) {
    if (s.size() < w.size() || s.substr(0, w.size()) != w) return false;
    if (s.size() == w.size()) return true;
    return !normdetail::is_alpha(s[w.size()]);
}

constexpr const char* kSuffixWords[] = {"euros", "euro", "eur", "usd", "chf", "gbp", "ttc", "ht"};
constexpr const char* kPrefixWords[] = {"eur", "usd", "chf", "gbp"};

// Removes currency signs/codes, '%' and spaces around the number.
void strip_decorations(std::string_view& s) {
    for (int guard = 0; guard < 8; ++guard) {
        trim(s);
        bool changed = false;
        if (!s.empty() && (s.back() == '%' || s.back() == kCurrency)) {
            s.remove_suffix(1);
            changed = true;
        } else if (!s.empty() && s.front() == kCurrency) {
            s.remove_prefix(1);
            changed = true;
        } else {
            for (const char* w : kSuffixWords) {
                if (ends_with_word(s, w)) {
                    s.remove_suffix(std::string_view(w).size());
                    changed = true;
                    break;
                }
            }
            if (!changed) {
                for (const char* w : kPrefixWords) {
                    if (starts_with_word(s, w)) {
                        s.remove_prefix(std::string_view(w).size());
                        changed = true;
                        break;
                    }
                }
            }
        }
        if (!changed) return;
    }
}

NumberResult fail(std::string why) {
    NumberResult r;
    r.reason = std::move(why);
    return r;
}

}  // namespace

NumberResult parse_number(std::string_view text, char decimal) {
    if (decimal != 0 && decimal != ',' && decimal != '.') return fail("decimal separator must be ',' or '.'");
    const std::string folded = fold(text);
    std::string_view s(folded);
    strip_decorations(s);
    if (s.empty()) return fail(text.empty() || folded.find_first_not_of(' ') == std::string::npos
                                   ? "empty value"
                                   : "not a number: " + normdetail::quote_excerpt(text));
    const auto garbage = [&]() { return fail("not a number: " + normdetail::quote_excerpt(text)); };

    bool negative = false;
    if (s.front() == '(' && s.back() == ')') {
        negative = true;
        s.remove_prefix(1);
        s.remove_suffix(1);
        strip_decorations(s);
    }
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        if (s.front() == '-') negative = !negative;
        s.remove_prefix(1);
        strip_decorations(s);
    } else if (!s.empty() && s.back() == '-') {  // accounting style "123-"
        negative = !negative;
        s.remove_suffix(1);
        strip_decorations(s);
    }
    if (s.empty()) return garbage();

    // Split mantissa / exponent.
    std::string_view mant = s, expo;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == 'e') {
            mant = s.substr(0, i);
            expo = s.substr(i + 1);
            break;
        }
    }
    int exponent = 0;
    if (expo.data() != nullptr) {
        std::size_t i = 0;
        bool eneg = false;
        if (i < expo.size() && (expo[i] == '+' || expo[i] == '-')) eneg = expo[i++] == '-';
        if (i == expo.size()) return garbage();
        for (; i < expo.size(); ++i) {
            if (!is_digit(expo[i])) return garbage();
            exponent = exponent * 10 + (expo[i] - '0');
            if (exponent > 400) return fail("exponent out of range in " + normdetail::quote_excerpt(text));
        }
        if (eneg) exponent = -exponent;
    }
    if (mant.empty()) return garbage();
    int commas = 0, dots = 0;
    std::size_t last_comma = 0, last_dot = 0;
    for (std::size_t i = 0; i < mant.size(); ++i) {
        const char c = mant[i];
        if (c == ',') {
            ++commas;
            last_comma = i;
        } else if (c == '.') {
            ++dots;
            last_dot = i;
        } else if (!is_digit(c) && c != ' ' && c != '\'') {
            return garbage();
        }
    }
    char dec = decimal;
    if (dec == 0) {
        if (commas && dots) {
            dec = last_comma > last_dot ? ',' : '.';
        } else if (commas == 1) {
            dec = ',';  // French decimal comma, also for "1,234" (the French reading)
        } else if (dots == 1) {
            // "1.234" with exactly three digits after a 1-3 digit group is read
            // the French way (thousands); everything else is a decimal point.
            std::size_t after = mant.size() - last_dot - 1;
            std::size_t before = 0;
            bool simple = true;
            for (std::size_t i = 0; i < last_dot; ++i) {
                if (is_digit(mant[i])) {
                    ++before;
                } else {
                    simple = false;
                }
            }
            bool digits_after = true;
            for (std::size_t i = last_dot + 1; i < mant.size(); ++i) digits_after = digits_after && is_digit(mant[i]);
            const bool thousands = simple && digits_after && after == 3 && before >= 1 && before <= 3 && mant[0] != '0';
            dec = thousands ? ',' : '.';
        } else if (commas > 1) {
            dec = '.';  // "1,234,567": commas group thousands
        } else {
            dec = ',';  // "1.234.567" (or no separator at all)
        }
    }
    const char other = dec == ',' ? '.' : ',';

    std::string int_digits, frac_digits;
    bool seen_dec = false, seen_group = false;
    std::size_t group_len = 0;  // digits since the last thousands separator
    std::size_t first_group = 0;
    for (std::size_t i = 0; i < mant.size(); ++i) {
        const char c = mant[i];
        if (is_digit(c)) {
            if (seen_dec) {
                frac_digits.push_back(c);
            } else {
                int_digits.push_back(c);
                ++group_len;
                if (!seen_group) ++first_group;
            }
        } else if (c == dec) {
            if (seen_dec) return garbage();
            if (seen_group && group_len != 3) return garbage();
            seen_dec = true;
        } else if (c == other || c == ' ' || c == '\'') {
            if (seen_dec) return garbage();
            // a run of spaces counts as one separator ("1  234")
            if (c == ' ' && i > 0 && mant[i - 1] == ' ') continue;
            if (i == 0 || !is_digit(mant[i - 1])) return garbage();
            if (seen_group ? group_len != 3 : (first_group == 0 || first_group > 3)) return garbage();
            seen_group = true;
            group_len = 0;
        }
    }
    if (seen_group && !seen_dec && group_len != 3) return garbage();
    if (int_digits.empty() && frac_digits.empty()) return garbage();

    // Apply the exponent by moving the point.
    if (exponent != 0) {
        std::string all = int_digits + frac_digits;
        long point = static_cast<long>(int_digits.size()) + exponent;
        if (point <= 0) {
            int_digits.clear();
            frac_digits = std::string(static_cast<std::size_t>(-point), '0') + all;
        } else if (static_cast<std::size_t>(point) >= all.size()) {
            int_digits = all + std::string(static_cast<std::size_t>(point) - all.size(), '0');
            frac_digits.clear();
        } else {
            int_digits = all.substr(0, static_cast<std::size_t>(point));
            frac_digits = all.substr(static_cast<std::size_t>(point));
        }
    }
    std::size_t nz = 0;
    while (nz + 1 < int_digits.size() && int_digits[nz] == '0') ++nz;
    int_digits.erase(0, nz);
    if (int_digits.empty()) int_digits = "0";
    bool zero = int_digits == "0" && frac_digits.find_first_not_of('0') == std::string::npos;

    std::string out;
    out.reserve(int_digits.size() + frac_digits.size() + 2);
    if (negative && !zero) out.push_back('-');
    out += int_digits;
    if (!frac_digits.empty()) {
        out.push_back('.');
        out += frac_digits;
    }
    NumberResult r;
    r.value = std::move(out);
    return r;
}

}  // namespace crm
