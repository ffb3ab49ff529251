#include "core/text_encoding.hpp"
#include "core/utf8.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

const char* encoding_name(Encoding e) {
    switch (e) {
        case Encoding::Utf8: return "utf-8";
        case Encoding::Utf8Bom: return "utf-8-bom";
        case Encoding::Windows1252: return "windows-1252";
        case Encoding::Latin1: return "latin-1";
        case Encoding::Utf16LE: return "utf-16le";
        case Encoding::Utf16BE: return "utf-16be";
        case Encoding::Latin9: return "iso-8859-15";
    }
    return "unknown";
}

std::optional<Encoding> parse_encoding_name(std::string_view name) {
    std::string n;
    for (char c : name) {
        if (c == '-' || c == '_' || c == '.' || c == ' ') continue;
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        n += c;
    }
    if (n == "utf8" || n == "ascii" || n == "usascii") return Encoding::Utf8;
    if (n == "utf8bom" || n == "utf8sig") return Encoding::Utf8Bom;
    if (n == "windows1252" || n == "cp1252" || n == "win1252" || n == "ansi" || n == "ms1252")
        return Encoding::Windows1252;
    if (n == "latin1" || n == "iso88591" || n == "l1" || n == "iso885911987") return Encoding::Latin1;
    if (n == "latin9" || n == "iso885915" || n == "l9") return Encoding::Latin9;
    if (n == "utf16le" || n == "utf16" || n == "unicode" || n == "ucs2le") return Encoding::Utf16LE;
    if (n == "utf16be" || n == "ucs2be") return Encoding::Utf16BE;
    return std::nullopt;
}

size_t utf8_valid_prefix(std::string_view sv) {
    const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
    const size_t n = sv.size();
    size_t i = 0;
    while (i < n) {
        // ASCII fast path: jump straight to the first byte >= 0x80 of each 8-byte word.
        while (i + 8 <= n) {
            std::uint64_t w;
            std::memcpy(&w, s + i, 8);
            std::uint64_t high = w & 0x8080808080808080ULL;
            if (high) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                i += static_cast<size_t>(__builtin_ctzll(high)) / 8;
#endif
                break;
            }
            i += 8;
        }
        if (i >= n) break;
        unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (i + need >= n) return i;  // sequence cut short
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k <= need; ++k)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += need + 1;
    }
    return n;
}

Encoding detect_encoding(std::string_view s) {
    auto u = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    if (s.size() >= 3 && u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF) return Encoding::Utf8Bom;
    if (s.size() >= 2 && u(0) == 0xFF && u(1) == 0xFE) return Encoding::Utf16LE;
    if (s.size() >= 2 && u(0) == 0xFE && u(1) == 0xFF) return Encoding::Utf16BE;
    // UTF-16 without BOM: text of mostly Latin characters has a NUL in every other byte.
    size_t pairs = std::min<size_t>(s.size(), 8192) / 2;
    if (pairs >= 2) {
        size_t z_even = 0, z_odd = 0;
        for (size_t i = 0; i < pairs; ++i) {
            z_even += s[2 * i] == 0;
            z_odd += s[2 * i + 1] == 0;
        }
        if (z_odd * 10 >= pairs * 3 && z_even * 20 <= pairs) return Encoding::Utf16LE;
        if (z_even * 10 >= pairs * 3 && z_odd * 20 <= pairs) return Encoding::Utf16BE;
    }
    size_t ok = utf8_valid_prefix(s);
    if (ok == s.size()) return Encoding::Utf8;
    // A multi-byte sequence cut by the end of the sample.
    if (s.size() - ok <= 3) {
        unsigned char c = u(ok);
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        bool tail_ok = len > s.size() - ok;
        for (size_t i = ok + 1; tail_ok && i < s.size(); ++i) tail_ok = (u(i) & 0xC0) == 0x80;
        bool has_multibyte = false;
        for (size_t i = 0; i < ok && !has_multibyte; ++i) has_multibyte = u(i) >= 0xC2;
        if (tail_ok && has_multibyte) return Encoding::Utf8;
    }
    return Encoding::Windows1252;
}

namespace {

constexpr std::uint16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};


// Code points of a single-byte encoding; 0xFFFFFFFF marks an undefined byte.
std::array<std::uint32_t, 256> single_byte_table(Encoding enc) {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t b = 0; b < 256; ++b) t[b] = b;
    if (enc == Encoding::Windows1252 || enc == Encoding::Latin1) {
        for (int b = 0; b < 32; ++b) {
            std::uint32_t cp = kCp1252High[b];
            if (cp) t[0x80 + b] = cp;
            else if (enc == Encoding::Windows1252) t[0x80 + b] = 0xFFFFFFFFu;
        }
    } else if (enc == Encoding::Latin9) {
        t[0xA4] = 0x20AC; t[0xA6] = 0x0160; t[0xA8] = 0x0161; t[0xB4] = 0x017D;
        t[0xB8] = 0x017E; t[0xBC] = 0x0152; t[0xBD] = 0x0153; t[0xBE] = 0x0178;
    }
    return t;
}

class DecodingSource : public ByteSource {
public:
    DecodingSource(ByteSource& raw, Encoding enc, std::string name)
        : raw_(raw), enc_(enc), name_(std::move(name)), in_(kInCap) {
        if (single_byte()) {
            auto t = single_byte_table(enc);
            for (int b = 0; b < 256; ++b) {
                if (t[b] == 0xFFFFFFFFu) {
                    len_[b] = 0;
                } else {
                    len_[b] = static_cast<std::uint8_t>(encode_utf8(utf8_[b], t[b]));
                }
            }
        }
        if (!passthrough()) out_.resize(kInCap * 3 / 2 + 16);
    }

    size_t read(char* buf, size_t cap) override {
        if (cap == 0) return 0;
        if (!started_) start();
        if (passthrough()) {
            if (in_pos_ < in_end_) {
                size_t n = std::min(cap, in_end_ - in_pos_);
                std::memcpy(buf, in_.data() + in_pos_, n);
                in_pos_ += n;
                return n;
            }
            return raw_.read(buf, cap);
        }
        while (out_pos_ == out_end_) {
            if (!refill()) return 0;
        }
        size_t n = std::min(cap, out_end_ - out_pos_);
        std::memcpy(buf, out_.data() + out_pos_, n);
        out_pos_ += n;
        return n;
    }

private:
    static constexpr size_t kInCap = 64 * 1024;

    bool passthrough() const { return enc_ == Encoding::Utf8 || enc_ == Encoding::Utf8Bom; }
    bool single_byte() const {
        return enc_ == Encoding::Windows1252 || enc_ == Encoding::Latin1 || enc_ == Encoding::Latin9;
    }
    bool utf16() const { return enc_ == Encoding::Utf16LE || enc_ == Encoding::Utf16BE; }

    // Reads more raw bytes after the unconsumed ones; false at end of input.
    bool read_more() {
        if (in_pos_ > 0) {
            std::memmove(in_.data(), in_.data() + in_pos_, in_end_ - in_pos_);
            in_end_ -= in_pos_;
            in_pos_ = 0;
        }
        if (raw_eof_ || in_end_ == in_.size()) return false;
        size_t n = raw_.read(in_.data() + in_end_, in_.size() - in_end_);
        if (n == 0) {
            raw_eof_ = true;
            return false;
        }
        in_end_ += n;
        return true;
    }

    void start() {
        started_ = true;
        while (in_end_ < 4 && read_more()) {
        }
        auto b = [&](size_t i) { return static_cast<unsigned char>(in_[i]); };
        size_t avail = in_end_;
        if (avail >= 3 && b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF && passthrough()) {
            in_pos_ = 3;
        } else if (utf16() && avail >= 2) {
            if (b(0) == 0xFF && b(1) == 0xFE) {
                enc_ = Encoding::Utf16LE;
                in_pos_ = 2;
            } else if (b(0) == 0xFE && b(1) == 0xFF) {
                enc_ = Encoding::Utf16BE;
                in_pos_ = 2;
            }
        }
    }

    [[noreturn]] void fail(const std::string& what) {
        Location where{name_, line_, 0, {}};
        throw ParseError(where, what, {}, sqlstate::kCharacterNotInRepertoire);
    }

    // Counts line ends in decoded output [p, e): CR, CRLF and LF each count
    // once. Only error messages need the line, but every byte passes here,
    // so it scans with memchr instead of a loop over bytes: lines = LFs +
    // CRs - CRLF pairs.
    void count_lines(const char* p, const char* e) {
        if (p == e) return;
        if (prev_cr_ && *p == '\n') --line_;  // the CR before this chunk already counted the pair
        for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', e - q))) != nullptr; ++q) ++line_;
        for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\r', e - q))) != nullptr; ++q) {
            ++line_;
            if (q + 1 < e && q[1] == '\n') --line_;
        }
        prev_cr_ = e[-1] == '\r';
    }

    // Decodes what is buffered into out_; false when nothing is left at all.
    bool refill() {
        out_pos_ = out_end_ = 0;
        for (;;) {
            if (in_pos_ == in_end_ || (utf16() && in_end_ - in_pos_ < 4)) {
                bool got = read_more();
                if (!got && in_pos_ == in_end_) return false;
                if (!got && utf16() && in_end_ - in_pos_ < 4) {
                    decode_utf16(true);
                    return out_end_ > 0;
                }
            }
            if (single_byte()) decode_single();
            else decode_utf16(false);
            if (out_end_ > 0) return true;
        }
    }

    void decode_single() {
        const auto* p = reinterpret_cast<const unsigned char*>(in_.data()) + in_pos_;
        const auto* e = reinterpret_cast<const unsigned char*>(in_.data()) + in_end_;
        char* o = out_.data();
        char* oe = o + out_.size() - 4;
        char* o0 = o;
        while (p < e && o < oe) {
            // ASCII fast path, 8 bytes at a time.
            while (e - p >= 8 && oe - o >= 8) {
                std::uint64_t w;
                std::memcpy(&w, p, 8);
                if (w & 0x8080808080808080ULL) break;
                std::memcpy(o, p, 8);
                p += 8;
                o += 8;
            }
            if (p == e || o >= oe) break;
            unsigned char c = *p;
            if (c < 0x80) {
                *o++ = static_cast<char>(c);
                ++p;
                continue;
            }
            std::uint8_t n = len_[c];
            if (n == 0) {
                count_lines(o0, o);
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02X", c);
                fail(std::string("byte ") + hex + " is not defined in windows-1252 (use encoding latin-1 to keep it)");
            }
            std::memcpy(o, utf8_[c], 4);
            o += n;
            ++p;
        }
        count_lines(o0, o);
        in_pos_ = static_cast<size_t>(reinterpret_cast<const char*>(p) - in_.data());
        out_end_ = static_cast<size_t>(o - out_.data());
    }

    void decode_utf16(bool at_eof) {
        const auto* base = reinterpret_cast<const unsigned char*>(in_.data());
        size_t p = in_pos_, e = in_end_;
        char* o = out_.data();
        char* oe = o + out_.size() - 4;
        char* o0 = o;
        const bool le = enc_ == Encoding::Utf16LE;
        auto unit = [&](size_t i) -> std::uint32_t {
            return le ? (base[i] | (base[i + 1] << 8)) : ((base[i] << 8) | base[i + 1]);
        };
        while (e - p >= 2 && o < oe) {
            std::uint32_t u = unit(p);
            if (u < 0xD800 || u > 0xDFFF) {
                o += encode_utf8(o, u);
                p += 2;
                continue;
            }
            if (u >= 0xDC00) {
                count_lines(o0, o);
                fail("invalid UTF-16: unpaired low surrogate");
            }
            if (e - p < 4) {
                if (at_eof) {
                    count_lines(o0, o);
                    fail("invalid UTF-16: unpaired high surrogate at end of input");
                }
                break;
            }
            std::uint32_t u2 = unit(p + 2);
            if (u2 < 0xDC00 || u2 > 0xDFFF) {
                count_lines(o0, o);
                fail("invalid UTF-16: unpaired high surrogate");
            }
            o += encode_utf8(o, 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00));
            p += 4;
        }
        count_lines(o0, o);
        in_pos_ = p;
        out_end_ = static_cast<size_t>(o - out_.data());
        if (at_eof && e - p == 1 && out_end_ == 0) fail("invalid UTF-16: odd number of bytes");
    }

    ByteSource& raw_;
    Encoding enc_;
    std::string name_;
    std::vector<char> in_;
    size_t in_pos_ = 0, in_end_ = 0;
    bool raw_eof_ = false;
    bool started_ = false;
    std::vector<char> out_;
    size_t out_pos_ = 0, out_end_ = 0;
    std::uint64_t line_ = 1;
    bool prev_cr_ = false;
    char utf8_[256][4] = {};
    std::uint8_t len_[256] = {};
};

}  // namespace

std::unique_ptr<ByteSource> make_utf8_source(ByteSource& raw, Encoding enc, std::string file_name) {
    return std::make_unique<DecodingSource>(raw, enc, std::move(file_name));
}

}  // namespace crm
