#include "core/csv_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/error.hpp"
#include "core/text_encoding.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

// Advances to the first byte flagged in `t`. The data is followed by a flagged
// sentinel (NUL) and by kPad readable bytes, so 16-byte loads starting at or
// before the sentinel stay inside the allocation.
inline char* scan(char* p, const unsigned char* t) {
    for (;;) {
        if (t[static_cast<unsigned char>(p[0])]) return p;
        if (t[static_cast<unsigned char>(p[1])]) return p + 1;
        if (t[static_cast<unsigned char>(p[2])]) return p + 2;
        if (t[static_cast<unsigned char>(p[3])]) return p + 3;
        p += 4;
    }
}

#if defined(__SSE2__)
// The same for an unquoted field: the next delimiter, CR, LF or NUL.
inline char* scan_unquoted(char* p, const unsigned char*, __m128i delim) {
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), nul = _mm_setzero_si128();
    for (;;) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, delim), _mm_cmpeq_epi8(v, lf)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, nul)));
        int bits = _mm_movemask_epi8(m);
        if (bits) return p + __builtin_ctz(static_cast<unsigned>(bits));
        p += 16;
    }
}
#else
inline char* scan_unquoted(char* p, const unsigned char* t, int) { return scan(p, t); }
#endif

constexpr size_t kPad = 64;

}  // namespace

namespace {

std::string printable(char c) {
    char b[16];
    if (c == '\t') return "tab";
    std::snprintf(b, sizeof b, "'%c'", c);
    return b;
}

}  // namespace

CsvReader::CsvReader(ByteSource& input, CsvDialect d, std::string file_name, CsvLimits lim)
    : in_(input), d_(d), file_(std::move(file_name)), lim_(lim) {
    if (d_.delimiter == '\0' || d_.delimiter == '\n' || d_.delimiter == '\r' || d_.delimiter == d_.quote)
        throw Error(sqlstate::kInvalidParameterValue, "invalid CSV delimiter " + printable(d_.delimiter));
    if (d_.quote == '\n' || d_.quote == '\r')
        throw Error(sqlstate::kInvalidParameterValue, "invalid CSV quote character");
    if (d_.escape == '\0' || d_.quote == '\0') d_.escape = d_.quote;
    if (d_.escape == '\n' || d_.escape == '\r' || d_.escape == d_.delimiter)
        throw Error(sqlstate::kInvalidParameterValue, "invalid CSV escape character");
    if (d_.skip_rows < 0) throw Error(sqlstate::kInvalidParameterValue, "skip_rows must not be negative");
    if (lim_.buffer_bytes < 64) lim_.buffer_bytes = 64;
    if (lim_.max_record_bytes < lim_.buffer_bytes) lim_.max_record_bytes = lim_.buffer_bytes;
    if (lim_.max_columns == 0) lim_.max_columns = 1;

    unq_[0] = unq_[static_cast<unsigned char>('\n')] = unq_[static_cast<unsigned char>('\r')] = 1;
    unq_[static_cast<unsigned char>(d_.delimiter)] = 1;
    qt_[0] = qt_[static_cast<unsigned char>('\n')] = qt_[static_cast<unsigned char>('\r')] = 1;
    qt_[static_cast<unsigned char>(d_.quote)] = 1;
    qt_[static_cast<unsigned char>(d_.escape)] = 1;

    cap_ = lim_.buffer_bytes;
    buf_.reset(new char[cap_ + kPad]());
    buf_[0] = '\0';
    fill();
    if (end_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
    skip_lines(d_.skip_rows);
    if (d_.header) {
        CsvRecord rec;
        if (next_impl(rec)) {
            header_.reserve(rec.fields.size());
            for (auto f : rec.fields) header_.emplace_back(f);
        }
        record_ = 0;
    }
}

bool CsvReader::fill() {
    if (eof_) return false;
    char* b = buf_.get();
    if (pos_ > 0) {
        std::memmove(b, b + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    if (end_ == cap_) {
        if (cap_ >= lim_.max_record_bytes)
            fail(line_, 0, "record larger than " + std::to_string(lim_.max_record_bytes) + " bytes",
                 sqlstate::kProgramLimitExceeded);
        size_t ncap = std::min(cap_ * 2, lim_.max_record_bytes);
        std::unique_ptr<char[]> nb(new char[ncap + kPad]());
        std::memcpy(nb.get(), b, end_);
        buf_ = std::move(nb);
        cap_ = ncap;
        b = buf_.get();
    }
    while (end_ < cap_) {
        size_t n = in_.read(b + end_, cap_ - end_);
        if (n == 0) {
            eof_ = true;
            break;
        }
        end_ += n;
    }
    b[end_] = '\0';
    return true;
}

void CsvReader::skip_lines(int n) {
    while (n > 0) {
        char* b = buf_.get();
        char* p = b + pos_;
        char* e = b + end_;
        while (p < e && *p != '\n' && *p != '\r') ++p;
        if (p == e) {
            if (eof_) {
                pos_ = end_;
                return;  // last line without a line end: nothing more to skip
            }
            pos_ = end_;  // discard the partial line, keep looking for its end
            fill();
            continue;
        }
        if (*p == '\r' && p + 1 == e && !eof_) {
            pos_ = static_cast<size_t>(p - b);
            fill();
            continue;
        }
        p += (*p == '\r' && p[1] == '\n') ? 2 : 1;
        pos_ = static_cast<size_t>(p - b);
        ++line_;
        --n;
    }
}

void CsvReader::fail(std::uint64_t line, size_t column, const std::string& what, const char* state) const {
    Location where{file_, line, record_ + 1, column ? std::to_string(column) : std::string()};
    throw ParseError(where, what, {}, state ? state : sqlstate::kInvalidTextRepresentation);
}

void CsvReader::bad_utf8(const CsvRecord& rec, std::string_view raw, size_t bad) const {
    // Find the physical line and the field of the offending byte (slow path only).
    std::uint64_t line = rec.line;
    size_t column = 1;
    bool in_quotes = false, at_start = true;
    for (size_t i = 0; i < bad; ++i) {
        char c = raw[i];
        if (c == '\n' || (c == '\r' && (i + 1 >= raw.size() || raw[i + 1] != '\n'))) ++line;
        if (d_.quote && c == d_.quote && (in_quotes || at_start)) {
            in_quotes = !in_quotes;
        } else if (d_.quote && in_quotes && d_.escape != d_.quote && c == d_.escape) {
            ++i;
        } else if (!in_quotes && c == d_.delimiter) {
            ++column;
            at_start = true;
            continue;
        } else if (!in_quotes && d_.quote && c == d_.quote) {
            in_quotes = true;
        }
        at_start = false;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(raw[bad]));
    Location where{file_, line, rec.record, std::to_string(column)};
    throw ParseError(where, std::string("invalid UTF-8 byte ") + hex, "check the file's encoding",
                     sqlstate::kCharacterNotInRepertoire);
}

bool CsvReader::next(CsvRecord& out) {
    ticker_.tick();
    return next_impl(out);
}

bool CsvReader::next_impl(CsvRecord& out) {
    for (;;) {
        Step s = parse_one(out);
        if (s == Step::Record) return true;
        if (s == Step::End) return false;
        fill();  // at EOF parse_one never asks for more
    }
}

CsvReader::Step CsvReader::parse_one(CsvRecord& out) {
    char* const b = buf_.get();
    char* const e = b + end_;
    char* p = b + pos_;
    std::uint64_t lines = 0;

    // Empty lines between records are skipped.
    for (;;) {
        if (p == e) {
            pos_ = end_;
            line_ += lines;
            return eof_ ? Step::End : Step::NeedMore;
        }
        if (*p == '\n') {
            ++lines;
            ++p;
        } else if (*p == '\r') {
            if (p + 1 == e && !eof_) {
                pos_ = static_cast<size_t>(p - b);
                line_ += lines;
                return Step::NeedMore;
            }
            ++lines;
            p += p[1] == '\n' ? 2 : 1;
        } else {
            break;
        }
    }
    pos_ = static_cast<size_t>(p - b);
    line_ += lines;
    lines = 0;

    char* const rec = p;
    auto& fields = out.fields;
    fields.clear();
    fixes_.clear();
    scratch_.clear();
    const char delim = d_.delimiter;
    const char quote = d_.quote;
    const char esc = d_.escape;
#if defined(__SSE2__)
    const __m128i delim_v = _mm_set1_epi8(delim);
#else
    const int delim_v = 0;
#endif
    char* rec_end;
    char* next_pos;

    auto too_big = [&](size_t n, std::uint64_t at_line) {
        if (n > lim_.max_field_bytes)
            fail(at_line, fields.size() + 1,
                 "field larger than " + std::to_string(lim_.max_field_bytes) + " bytes",
                 sqlstate::kProgramLimitExceeded);
    };
    auto need_more = [&](char* field_start, std::uint64_t at_line) {
        too_big(static_cast<size_t>(e - field_start), at_line);
        return Step::NeedMore;
    };

    for (;;) {
        if (fields.size() >= lim_.max_columns)
            fail(line_ + lines, fields.size() + 1,
                 "more than " + std::to_string(lim_.max_columns) + " columns", sqlstate::kProgramLimitExceeded);
        char* fstart = p;
        const std::uint64_t fline = line_ + lines;
        if (quote && *p == quote) {
            char* q = p + 1;
            char* seg = q;
            bool scratch = false;
            size_t soff = scratch_.size();
            auto append = [&](const char* a, const char* z) {
                scratch_.append(a, static_cast<size_t>(z - a));
                scratch = true;
            };
            for (;;) {
                q = scan(q, qt_);
                char c = *q;
                if (c == '\0') {
                    if (q == e) {
                        if (!eof_) return need_more(fstart, fline);
                        fail(fline, fields.size() + 1,
                             "unterminated quoted field starting at line " + std::to_string(fline));
                    }
                    fail(line_ + lines, fields.size() + 1, "NUL byte in data");
                }
                if (c == '\n') {
                    ++lines;
                    ++q;
                    continue;
                }
                if (c == '\r') {
                    if (q + 1 == e && !eof_) return need_more(fstart, fline);
                    ++lines;
                    q += q[1] == '\n' ? 2 : 1;
                    continue;
                }
                if (c == esc && esc != quote) {
                    if (q + 1 == e) {
                        if (!eof_) return need_more(fstart, fline);
                        fail(fline, fields.size() + 1,
                             "unterminated quoted field starting at line " + std::to_string(fline));
                    }
                    char nx = q[1];
                    append(seg, q);
                    if (nx == quote || nx == esc) {
                        scratch_ += nx;
                        q += 2;
                    } else {
                        scratch_ += c;  // a lone escape is kept as is
                        q += 1;
                    }
                    seg = q;
                    continue;
                }
                // c == quote
                if (q + 1 == e && !eof_) return need_more(fstart, fline);
                if (esc == quote && q[1] == quote) {
                    append(seg, q + 1);
                    q += 2;
                    seg = q;
                    continue;
                }
                char* close = q++;
                char t = *q;
                if (q == e || t == delim || t == '\n' || t == '\r') {
                    if (!scratch) {
                        too_big(static_cast<size_t>(close - seg), fline);
                        fields.emplace_back(seg, static_cast<size_t>(close - seg));
                    } else {
                        append(seg, close);
                        too_big(scratch_.size() - soff, fline);
                        fixes_.push_back({fields.size(), soff, scratch_.size() - soff});
                        fields.emplace_back();
                    }
                    p = q;
                    break;
                }
                // Text after the closing quote is kept literally (like COPY); a quote reopens.
                append(seg, close);
                char* r = q;
                while (!unq_[static_cast<unsigned char>(*r)] && *r != quote) ++r;
                append(q, r);
                if (*r == quote) {
                    q = r + 1;
                    seg = q;
                    continue;
                }
                if (*r == '\0') {
                    if (r != e) fail(line_ + lines, fields.size() + 1, "NUL byte in data");
                    if (!eof_) return need_more(fstart, fline);
                }
                if (*r == '\r' && r + 1 == e && !eof_) return need_more(fstart, fline);
                too_big(scratch_.size() - soff, fline);
                fixes_.push_back({fields.size(), soff, scratch_.size() - soff});
                fields.emplace_back();
                p = r;
                break;
            }
        } else {
            p = scan_unquoted(p, unq_, delim_v);
            if (*p == '\0') {
                if (p != e) fail(line_ + lines, fields.size() + 1, "NUL byte in data");
                if (!eof_) return need_more(fstart, fline);
            }
            too_big(static_cast<size_t>(p - fstart), fline);
            fields.emplace_back(fstart, static_cast<size_t>(p - fstart));
        }
        // p is on the field's terminator.
        if (p == e) {
            rec_end = next_pos = p;
            break;
        }
        char t = *p;
        if (t == delim) {
            ++p;
            continue;
        }
        if (t == '\n') {
            rec_end = p;
            next_pos = p + 1;
        } else {  // '\r'
            if (p + 1 == e && !eof_) return need_more(fstart, fline);
            rec_end = p;
            next_pos = p + (p[1] == '\n' ? 2 : 1);
        }
        ++lines;
        break;
    }

    for (const Fix& f : fixes_) fields[f.field] = std::string_view(scratch_.data() + f.off, f.len);
    std::string_view raw(rec, static_cast<size_t>(rec_end - rec));
    out.line = line_;
    out.record = ++record_;
    size_t ok = utf8_valid_prefix(raw);
    if (ok != raw.size()) {
        --record_;
        out.record = record_ + 1;
        bad_utf8(out, raw, ok);
    }
    out.raw = raw.substr(0, std::min(raw.size(), lim_.max_raw_bytes));
    line_ += lines;
    pos_ = static_cast<size_t>(next_pos - b);
    return Step::Record;
}

}  // namespace crm
