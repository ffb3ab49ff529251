#include "core/text_key.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <utf8proc.h>

#include "core/norm_util.hpp"
#include "core/unaccent.hpp"

#include "core/core_only.hpp"

namespace crm {
namespace {

using normdetail::decode_utf8;

// Legal forms in canonical (alphabetical) order: this is the order in which
// they are appended at the end of a key.
constexpr const char* kLegalForms[] = {"earl", "eurl", "gaec", "sa", "sarl", "sas", "sasu", "sci", "scea", "snc"};
constexpr int kLegalCount = sizeof(kLegalForms) / sizeof(kLegalForms[0]);

int legal_form_index(std::string_view w) {
    if (w.size() < 2 || w.size() > 4) return -1;
    for (int i = 0; i < kLegalCount; ++i) {
        if (w == kLegalForms[i]) return i;
    }
    return -1;
}

// Unicode letter, digit or mark (kept inside words); everything else separates.
bool is_word_cp(char32_t cp) {
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
        case UTF8PROC_CATEGORY_ME:
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_NO:
            return true;
        default:
            return false;
    }
}

struct Word {
    std::size_t start;
    std::size_t len;
    bool dotted;  // directly followed by '.'
};

// Splits `u` (already unaccented) into lower-case words stored back to back
// in `buf`. `amp_word` is emitted for '&'.
void split_words(const std::string& u, std::string& buf, std::vector<Word>& words, const char* amp_word,
                 bool symbols_as_words) {
    std::size_t i = 0;
    bool in_word = false;
    auto close = [&](bool dotted) {
        if (in_word) {
            words.back().len = buf.size() - words.back().start;
            words.back().dotted = dotted;
            in_word = false;
        }
    };
    auto open = [&]() {
        if (!in_word) {
            words.push_back(Word{buf.size(), 0, false});
            in_word = true;
        }
    };
    auto whole = [&](const char* w) {
        close(false);
        open();
        buf += w;
        close(false);
    };
    const std::size_t n = u.size();
    while (i < n) {
        const char c = u[i];
        const auto uc = static_cast<unsigned char>(c);
        if (uc < 0x80) {
            if (normdetail::is_alpha(c) || normdetail::is_digit(c)) {
                open();
                buf.push_back(normdetail::lower_ascii(c));
            } else if (c == '&') {
                whole(amp_word);
            } else if (symbols_as_words && c == '%') {
                whole("pct");
            } else if (symbols_as_words && c == '#') {
                whole("num");
            } else {
                close(c == '.');
            }
            ++i;
            continue;
        }
        char32_t cp;
        std::size_t len = decode_utf8(u, i, cp);
        if (len == 0) {  // invalid byte: a separator
            close(false);
            ++i;
            continue;
        }
        if (symbols_as_words && cp == 0x20AC) {
            whole("eur");
        } else if (is_word_cp(cp) && cp != 0x00BA && cp != 0x00AA) {
            open();
            const auto lower = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
            if (lower < 0x250 || (lower >= 0x1E00 && lower <= 0x1EFF)) {
                // e.g. the Angstrom sign lowers to 'å': fold it like any Latin letter
                std::string one;
                normdetail::append_utf8(one, lower);
                for (char ch : unaccent(one)) {
                    if (normdetail::is_alpha(ch) || normdetail::is_digit(ch) || static_cast<unsigned char>(ch) >= 0x80)
                        buf.push_back(normdetail::lower_ascii(ch));
                }
            } else {
                normdetail::append_utf8(buf, lower);
            }
        } else {
            close(false);
        }
        i += len;
    }
    close(false);
}

// unaccent copies invalid bytes unchanged, so two stray bytes could meet and
// form a character. Keys are built from a copy where they are spaces.
void unaccent_clean(std::string_view text, std::string& u) {
    std::size_t i = 0;
    while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
    bool valid = true;
    for (std::size_t j = i; j < text.size() && valid;) {
        char32_t cp;
        std::size_t n = decode_utf8(text, j, cp);
        valid = n != 0;
        j += n;
    }
    if (valid) {
        unaccent_append(text, u);
        return;
    }
    std::string clean;
    clean.reserve(text.size());
    for (std::size_t j = 0; j < text.size();) {
        char32_t cp;
        std::size_t n = decode_utf8(text, j, cp);
        if (n == 0) {
            clean.push_back(' ');
            ++j;
        } else {
            clean.append(text.data() + j, n);
            j += n;
        }
    }
    unaccent_append(clean, u);
}

}  // namespace

std::string normalize_key(std::string_view text) {
    std::string u;
    unaccent_clean(text, u);
    std::string buf;
    buf.reserve(u.size() + 8);
    std::vector<Word> words;
    words.reserve(8);
    split_words(u, buf, words, "et", false);

    std::string out;
    out.reserve(buf.size() + words.size() + 8);
    bool legal_seen[kLegalCount] = {};
    bool any_legal = false;
    auto emit = [&](std::string_view w) {
        if (!out.empty()) out.push_back(' ');
        out.append(w.data(), w.size());
    };
    std::string merged;
    for (std::size_t k = 0; k < words.size(); ++k) {
        std::string_view w(buf.data() + words[k].start, words[k].len);
        // "S.A.R.L." -> "sarl": a run of dotted single letters spelling a legal form.
        if (w.size() == 1 && words[k].dotted) {
            std::size_t j = k;
            merged.clear();
            while (j < words.size() && words[j].len == 1) {
                merged.push_back(buf[words[j].start]);
                bool last_dotted = words[j].dotted;
                ++j;
                if (!last_dotted) break;
            }
            int idx = legal_form_index(merged);
            if (j - k >= 2 && idx >= 0) {
                legal_seen[idx] = any_legal = true;
                k = j - 1;
                continue;
            }
        }
        int idx = legal_form_index(w);
        if (idx >= 0) {
            legal_seen[idx] = any_legal = true;
        } else if (w == "st") {
            emit("saint");
        } else if (w == "ste") {
            emit("sainte");
        } else {
            emit(w);
        }
    }
    if (any_legal) {
        for (int i = 0; i < kLegalCount; ++i) {
            if (legal_seen[i]) emit(kLegalForms[i]);
        }
    }
    return out;
}

std::string normalize_column_name(std::string_view header) {
    std::string u;
    unaccent_clean(header, u);
    std::string buf;
    std::vector<Word> words;
    split_words(u, buf, words, "et", true);
    std::string out;
    out.reserve(buf.size() + words.size());
    for (const Word& w : words) {
        if (w.len == 0) continue;
        if (!out.empty()) out.push_back('_');
        out.append(buf, w.start, w.len);
    }
    return out;
}

}  // namespace crm
