// Writing one code point as UTF-8 (the decoders of Windows-1252, UTF-16 and
// XLSX escapes all need it).
#pragma once

#include <cstddef>
#include <string>

namespace crm {

// Writes `cp` (at most U+10FFFF, not a surrogate) to out[0..3]; returns the length.
inline std::size_t encode_utf8(char* out, char32_t cp) noexcept {
    if (cp < 0x80) {
        out[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<char>(0xC0 | (cp >> 6));
        out[1] = static_cast<char>(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<char>(0xE0 | (cp >> 12));
        out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out[2] = static_cast<char>(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = static_cast<char>(0xF0 | (cp >> 18));
    out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
}

inline void append_utf8(std::string& out, char32_t cp) {
    char buf[4];
    out.append(buf, encode_utf8(buf, cp));
}

}  // namespace crm
