#include "core/unaccent.hpp"

#include <cstdint>
#include <cstring>

#include <utf8proc.h>

#include "core/norm_util.hpp"

#include "core/core_only.hpp"

namespace crm {
namespace {

// One replacement: up to 7 UTF-8 bytes.
struct Rep {
    std::uint8_t len;
    char s[7];
};

// Letters that have no canonical decomposition but that contrib's
// unaccent.rules maps (Latin-1, Latin Extended-A and B), plus ligatures.
struct Fixed {
    char32_t cp;
    const char* to;
};
constexpr Fixed kLetters[] = {
    {0x00C6, "AE"}, {0x00D0, "D"},  {0x00D7, "*"},  {0x00D8, "O"},  {0x00DE, "TH"}, {0x00DF, "ss"}, {0x00E6, "ae"},
    {0x00F0, "d"},  {0x00F7, "/"},  {0x00F8, "o"},  {0x00FE, "th"}, {0x0110, "D"},  {0x0111, "d"},  {0x0126, "H"},
    {0x0127, "h"},  {0x0131, "i"},  {0x0132, "IJ"}, {0x0133, "ij"}, {0x0138, "q"},  {0x013F, "L"},  {0x0140, "l"},
    {0x0141, "L"},  {0x0142, "l"},  {0x0149, "'n"}, {0x014A, "N"},  {0x014B, "n"},  {0x0152, "OE"}, {0x0153, "oe"},
    {0x0166, "T"},  {0x0167, "t"},  {0x017F, "s"},  {0x0180, "b"},  {0x0181, "B"},  {0x0182, "B"},  {0x0183, "b"},
    {0x0187, "C"},  {0x0188, "c"},  {0x0189, "D"},  {0x018A, "D"},  {0x018B, "D"},  {0x018C, "d"},  {0x0190, "E"},
    {0x0191, "F"},  {0x0192, "f"},  {0x0193, "G"},  {0x0195, "hv"}, {0x0196, "I"},  {0x0197, "I"},  {0x0198, "K"},
    {0x0199, "k"},  {0x019A, "l"},  {0x019D, "N"},  {0x019E, "n"},  {0x01A2, "OI"}, {0x01A3, "oi"}, {0x01A4, "P"},
    {0x01A5, "p"},  {0x01AB, "t"},  {0x01AC, "T"},  {0x01AD, "t"},  {0x01AE, "T"},  {0x01B2, "V"},  {0x01B3, "Y"},
    {0x01B4, "y"},  {0x01B5, "Z"},  {0x01B6, "z"},  {0x01C4, "DZ"}, {0x01C5, "Dz"}, {0x01C6, "dz"}, {0x01C7, "LJ"},
    {0x01C8, "Lj"}, {0x01C9, "lj"}, {0x01CA, "NJ"}, {0x01CB, "Nj"}, {0x01CC, "nj"}, {0x01E4, "G"},  {0x01E5, "g"},
    {0x01F1, "DZ"}, {0x01F2, "Dz"}, {0x01F3, "dz"}, {0x0221, "d"},  {0x0224, "Z"},  {0x0225, "z"},  {0x0234, "l"},
    {0x0235, "n"},  {0x0236, "t"},  {0x0237, "j"},  {0x0238, "db"}, {0x0239, "qp"}, {0x023A, "A"},  {0x023B, "C"},
    {0x023C, "c"},  {0x023D, "L"},  {0x023E, "T"},  {0x023F, "s"},  {0x0240, "z"},  {0x0243, "B"},  {0x0244, "U"},
    {0x0246, "E"},  {0x0247, "e"},  {0x0248, "J"},  {0x0249, "j"},  {0x024C, "R"},  {0x024D, "r"},  {0x024E, "Y"},
    {0x024F, "y"},  {0x1E9E, "SS"},
    // spaces, quotes, dashes
    {0x00A0, " "},  {0x00AB, "\""}, {0x00BB, "\""}, {0x00AD, ""},   {0x02BC, "'"},  {0x02BB, "'"},  {0x200B, ""},   {0x2010, "-"},
    {0x2011, "-"},  {0x2012, "-"},  {0x2013, "-"},  {0x2014, "-"},  {0x2015, "-"},  {0x2018, "'"},  {0x2019, "'"},
    {0x201A, "'"},  {0x201B, "'"},  {0x201C, "\""}, {0x201D, "\""}, {0x201E, "\""}, {0x201F, "\""}, {0x2026, "..."},
    {0x2032, "'"},  {0x2033, "\""}, {0x2039, "'"},  {0x203A, "'"},  {0x202F, " "},  {0x205F, " "},  {0x2060, ""},
    // typographic ligatures
    {0xFB00, "ff"}, {0xFB01, "fi"}, {0xFB02, "fl"}, {0xFB03, "ffi"}, {0xFB04, "ffl"}, {0xFB05, "st"}, {0xFB06, "st"},
};

constexpr char32_t kTwoByteFirst = 0x80, kTwoByteLast = 0x37F;  // lead bytes C2..CD
constexpr char32_t kExtAddFirst = 0x1E00, kExtAddLast = 0x1EFF; // E1 B8..BB
constexpr char32_t kPunctFirst = 0x2000, kPunctLast = 0x207F;   // E2 80..81
constexpr char32_t kLigFirst = 0xFB00, kLigLast = 0xFB3F;       // EF AC

bool is_combining_mark(char32_t cp) {
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

const char* fixed_mapping(char32_t cp) {
    for (const auto& f : kLetters) {
        if (f.cp == cp) return f.to;
    }
    return nullptr;
}

// Canonical decomposition of a Latin letter, combining marks dropped; a base
// letter without decomposition (Æ in Ǣ) goes through the fixed table.
void decompose_latin(char32_t cp, std::string& out) {
    utf8proc_int32_t buf[16];
    int boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf, 16,
                                                 static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE), &boundclass);
    if (n <= 0 || n > 16) {
        normdetail::append_utf8(out, cp);
        return;
    }
    for (utf8proc_ssize_t i = 0; i < n; ++i) {
        char32_t c = static_cast<char32_t>(buf[i]);
        const auto cat = utf8proc_category(buf[i]);
        if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || is_combining_mark(c)) continue;
        if (const char* m = fixed_mapping(c)) {
            out += m;
            continue;
        }
        normdetail::append_utf8(out, c);
    }
}

Rep make_rep(const std::string& s) {
    Rep r{};
    r.len = static_cast<std::uint8_t>(s.size() > 7 ? 7 : s.size());
    std::memcpy(r.s, s.data(), r.len);
    return r;
}

struct Tables {
    Rep two[kTwoByteLast - kTwoByteFirst + 1];
    Rep extadd[kExtAddLast - kExtAddFirst + 1];
    Rep punct[kPunctLast - kPunctFirst + 1];
    Rep lig[kLigLast - kLigFirst + 1];

    Tables() {
        std::string s;
        auto compute = [&](char32_t cp) {
            s.clear();
            if (is_combining_mark(cp)) return make_rep(s);
            if (const char* m = fixed_mapping(cp)) {
                s = m;
                return make_rep(s);
            }
            if ((cp >= 0x00C0 && cp <= 0x024F) || (cp >= kExtAddFirst && cp <= kExtAddLast)) {
                decompose_latin(cp, s);
            } else if (cp >= 0x2000 && cp <= 0x200A) {
                s = " ";  // en quad .. hair space, incl. figure space U+2007 and thin space U+2009
            } else {
                normdetail::append_utf8(s, cp);
            }
            return make_rep(s);
        };
        for (char32_t c = kTwoByteFirst; c <= kTwoByteLast; ++c) two[c - kTwoByteFirst] = compute(c);
        for (char32_t c = kExtAddFirst; c <= kExtAddLast; ++c) extadd[c - kExtAddFirst] = compute(c);
        for (char32_t c = kPunctFirst; c <= kPunctLast; ++c) punct[c - kPunctFirst] = compute(c);
        for (char32_t c = kLigFirst; c <= kLigLast; ++c) lig[c - kLigFirst] = compute(c);
    }
};

const Tables& tables() {
    static const Tables t;  // built once, thread-safe, then read-only
    return t;
}

inline bool is_rare_latin(char32_t cp) {
    return (cp >= 0x2C60 && cp <= 0x2C7F) || (cp >= 0xA720 && cp <= 0xA7FF) || (cp >= 0xAB30 && cp <= 0xAB6F);
}

}  // namespace

void unaccent_append(std::string_view in, std::string& out) {
    const Tables& t = tables();
    const char* p = in.data();
    const char* const end = p + in.size();
    out.reserve(out.size() + in.size());
    while (p < end) {
        // ASCII run, eight bytes at a time.
        const char* q = p;
        while (end - q >= 8) {
            std::uint64_t w;
            std::memcpy(&w, q, 8);
            if (w & 0x8080808080808080ULL) break;
            q += 8;
        }
        while (q < end && static_cast<unsigned char>(*q) < 0x80) ++q;
        if (q != p) {
            out.append(p, static_cast<std::size_t>(q - p));
            p = q;
            if (p == end) break;
        }
        const auto c0 = static_cast<unsigned char>(p[0]);
        // Two-byte sequences up to U+037F: one table lookup.
        if (c0 >= 0xC2 && c0 <= 0xCD && end - p >= 2 && (static_cast<unsigned char>(p[1]) & 0xC0) == 0x80) {
            char32_t cp = ((c0 & 0x1Fu) << 6) | (static_cast<unsigned char>(p[1]) & 0x3Fu);
            const Rep& r = t.two[cp - kTwoByteFirst];
            out.append(r.s, r.len);
            p += 2;
            continue;
        }
        char32_t cp;
        std::size_t n = normdetail::decode_utf8(std::string_view(p, static_cast<std::size_t>(end - p)), 0, cp);
        if (n == 0) {  // not UTF-8: copy the byte unchanged
            out.push_back(*p);
            ++p;
            continue;
        }
        if (cp >= kExtAddFirst && cp <= kExtAddLast) {
            const Rep& r = t.extadd[cp - kExtAddFirst];
            out.append(r.s, r.len);
        } else if (cp >= kPunctFirst && cp <= kPunctLast) {
            const Rep& r = t.punct[cp - kPunctFirst];
            out.append(r.s, r.len);
        } else if (cp >= kLigFirst && cp <= kLigLast) {
            const Rep& r = t.lig[cp - kLigFirst];
            out.append(r.s, r.len);
        } else if (is_combining_mark(cp)) {
            // dropped, like contrib does for U+0300..U+036F
        } else if (is_rare_latin(cp)) {
            decompose_latin(cp, out);
        } else {
            out.append(p, n);
        }
        p += n;
    }
}

std::string unaccent(std::string_view utf8) {
    std::string out;
    unaccent_append(utf8, out);
    return out;
}

}  // namespace crm
