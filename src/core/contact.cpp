#include "core/contact.hpp"

#include <cstring>

#include "core/norm_util.hpp"

#include "core/core_only.hpp"

namespace crm {
namespace {

using normdetail::is_alpha;
using normdetail::is_digit;
using normdetail::lower_ascii;

bool is_space_byte(std::string_view s, std::size_t i, std::size_t& len) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
        len = 1;
        return true;
    }
    char32_t cp;
    std::size_t n = normdetail::decode_utf8(s, i, cp);
    if (n > 1 && (cp == 0xA0 || cp == 0x202F || (cp >= 0x2000 && cp <= 0x200B) || cp == 0xFEFF)) {
        len = n;
        return true;
    }
    return false;
}

std::string_view trim_spaces(std::string_view s) {
    std::size_t len;
    while (!s.empty() && is_space_byte(s, 0, len)) s.remove_prefix(len);
    // trailing: step back over ASCII spaces and the multi-byte spaces we know
    for (;;) {
        if (s.empty()) break;
        const char c = s.back();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            s.remove_suffix(1);
            continue;
        }
        bool removed = false;
        for (std::size_t back = 2; back <= 3 && back <= s.size(); ++back) {
            std::size_t l;
            if (is_space_byte(s, s.size() - back, l) && l == back) {
                s.remove_suffix(back);
                removed = true;
                break;
            }
        }
        if (!removed) break;
    }
    return s;
}

bool local_char(char c) {
    return is_alpha(c) || is_digit(c) || (c != 0 && std::strchr("!#$%&'*+/=?^_`{|}~-.", c) != nullptr);
}

struct Country {
    const char* iso;
    const char* cc;
    bool trunk0;  // national numbers start with a trunk '0' that E.164 drops
    int min_nsn, max_nsn;
};
constexpr Country kCountries[] = {
    {"FR", "33", true, 9, 9},   {"BE", "32", true, 8, 9},    {"CH", "41", true, 9, 9},
    {"DE", "49", true, 6, 13},  {"IT", "39", false, 6, 11},  {"ES", "34", false, 9, 9},
    {"GB", "44", true, 9, 10},  {"LU", "352", false, 4, 11}, {"NL", "31", true, 9, 9},
    {"US", "1", false, 10, 10},
};

const Country* by_iso(std::string_view iso) {
    if (iso.size() != 2) return nullptr;
    char a = static_cast<char>(iso[0] & ~0x20), b = static_cast<char>(iso[1] & ~0x20);
    if (a == 'U' && b == 'K') b = 'B', a = 'G';
    for (const auto& c : kCountries) {
        if (c.iso[0] == a && c.iso[1] == b) return &c;
    }
    return nullptr;
}

const Country* by_calling_code(const std::string& digits) {
    const Country* best = nullptr;
    for (const auto& c : kCountries) {
        std::size_t n = std::strlen(c.cc);
        if (digits.compare(0, n, c.cc) == 0 && (!best || n > std::strlen(best->cc))) best = &c;
    }
    return best;
}

// National significant number checks per country.
bool valid_nsn(const Country& c, const std::string& nsn) {
    const int n = static_cast<int>(nsn.size());
    if (n < c.min_nsn || n > c.max_nsn) return false;
    if (nsn[0] == '0' && c.trunk0) return false;
    if (std::strcmp(c.iso, "FR") == 0 && nsn[0] == '0') return false;
    if (std::strcmp(c.iso, "US") == 0 && (nsn[0] < '2' || nsn[3] < '2')) return false;
    return true;
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view text) {
    std::string_view s = trim_spaces(text);
    if (s.size() >= 7) {
        bool mailto = true;
        for (int i = 0; i < 7; ++i) mailto = mailto && lower_ascii(s[static_cast<std::size_t>(i)]) == "mailto:"[i];
        if (mailto) s = trim_spaces(s.substr(7));
    }
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = trim_spaces(s.substr(1, s.size() - 2));
    if (s.empty() || s.size() > 254) return std::nullopt;
    std::string out;
    out.reserve(s.size());
    std::size_t at = std::string::npos;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = lower_ascii(s[i]);
        if (c == '@') {
            if (at != std::string::npos) return std::nullopt;
            at = i;
        } else if (static_cast<unsigned char>(c) >= 0x80 || !local_char(c)) {
            return std::nullopt;
        }
        out.push_back(c);
    }
    if (at == std::string::npos || at == 0 || at > 64) return std::nullopt;
    std::string_view local(out.data(), at), domain(out.data() + at + 1, out.size() - at - 1);
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return std::nullopt;
    // domain: labels of [a-z0-9-], 1..63, no leading/trailing '-', at least two, alphabetic TLD
    if (domain.empty() || domain.size() > 253) return std::nullopt;
    int labels = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= domain.size(); ++i) {
        if (i == domain.size() || domain[i] == '.') {
            std::string_view label = domain.substr(start, i - start);
            if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return std::nullopt;
            for (char c : label) {
                if (!(is_alpha(c) || is_digit(c) || c == '-')) return std::nullopt;
            }
            ++labels;
            if (i == domain.size()) {
                bool tld_ok = label.size() >= 2 && (label.compare(0, 4, "xn--") == 0 || [&] {
                                  for (char c : label) {
                                      if (!is_alpha(c)) return false;
                                  }
                                  return true;
                              }());
                if (!tld_ok) return std::nullopt;
            }
            start = i + 1;
        }
    }
    if (labels < 2) return std::nullopt;
    return out;
}

std::optional<std::string> normalize_phone(std::string_view text, std::string_view country) {
    std::string_view s = trim_spaces(text);
    if (s.size() > 64) return std::nullopt;
    if (s.size() >= 4 && lower_ascii(s[0]) == 't' && lower_ascii(s[1]) == 'e' && lower_ascii(s[2]) == 'l' && s[3] == ':')
        s = trim_spaces(s.substr(4));
    std::string digits;
    bool plus = false;
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        std::size_t len = 1;
        if (is_digit(c)) {
            digits.push_back(c);
        } else if (c == '+') {
            if (plus || !digits.empty()) return std::nullopt;
            plus = true;
        } else if (c == '(' && i + 2 < s.size() && s[i + 1] == '0' && s[i + 2] == ')' && (plus || digits.size() >= 2)) {
            len = 3;  // "+33 (0)6 ..." : the trunk prefix in brackets is dropped
        } else if (c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')') {
        } else if (is_space_byte(s, i, len)) {
        } else {
            return std::nullopt;
        }
        i += len;
    }
    if (digits.empty()) return std::nullopt;
    bool international = plus;
    if (!plus && digits.compare(0, 2, "00") == 0) {
        international = true;
        digits.erase(0, 2);
    }
    if (international) {
        if (digits.empty() || digits[0] == '0') return std::nullopt;
        const Country* c = by_calling_code(digits);
        if (c == nullptr) {  // other countries: E.164 length only
            if (digits.size() < 8 || digits.size() > 15) return std::nullopt;
            return "+" + digits;
        }
        std::string nsn = digits.substr(std::strlen(c->cc));
        if (c->trunk0 && !nsn.empty() && nsn[0] == '0') nsn.erase(0, 1);  // "0033 06 ..."
        if (nsn.empty() || !valid_nsn(*c, nsn)) return std::nullopt;
        return "+" + std::string(c->cc) + nsn;
    }
    const Country* c = by_iso(country);
    if (c == nullptr) return std::nullopt;
    std::string nsn = digits;
    if (c->trunk0) {
        if (nsn[0] == '0') {
            nsn.erase(0, 1);
        } else if (!(std::strcmp(c->iso, "FR") == 0 && nsn.size() == 9)) {
            return std::nullopt;  // only FR accepts the 9 digits without trunk 0 ("6 12 34 56 78")
        }
    } else if (std::strcmp(c->iso, "US") == 0 && nsn.size() == 11 && nsn[0] == '1') {
        nsn.erase(0, 1);
    }
    if (nsn.empty() || !valid_nsn(*c, nsn)) return std::nullopt;
    return "+" + std::string(c->cc) + nsn;
}

}  // namespace crm
