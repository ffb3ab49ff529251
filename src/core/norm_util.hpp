// Small helpers shared by the normalisation parsers (internal to src/core).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace crm {
namespace normdetail {

// Decodes one UTF-8 sequence at s[i]. Returns the length (1..4) and sets cp,
// or returns 0 when the bytes are not valid UTF-8 (overlong, surrogate,
// truncated, > U+10FFFF); the caller then treats s[i] as a lone byte.
inline std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
    const std::size_t left = s.size() - i;
    const unsigned c = p[0];
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (left < 2 || (p[1] & 0xC0) != 0x80) return 0;
        cp = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        char32_t v = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 0;
        cp = v;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        char32_t v = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
        if (v < 0x10000 || v > 0x10FFFF) return 0;
        cp = v;
        return 4;
    }
    return 0;
}

inline void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline char lower_ascii(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// The input quoted for a reason message: at most 60 bytes, invalid UTF-8
// and control characters replaced by '?', so the message is always valid
// UTF-8 text that PostgreSQL can print.
inline std::string quote_excerpt(std::string_view s) {
    std::string out = "\"";
    std::size_t i = 0;
    while (i < s.size()) {
        if (out.size() > 61) {
            out += "...";
            break;
        }
        char32_t cp;
        std::size_t n = decode_utf8(s, i, cp);
        if (n == 0 || cp < 0x20 || cp == 0x7F) {
            out.push_back('?');
            i += n == 0 ? 1 : n;
            continue;
        }
        out.append(s.data() + i, n);
        i += n;
    }
    out.push_back('"');
    return out;
}

}  // namespace normdetail
}  // namespace crm
