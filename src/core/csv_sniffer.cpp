#include "core/csv_sniffer.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace sniff {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of a space-like separator at s[i] (space, NBSP, narrow NBSP), else 0.
size_t space_len(std::string_view s, size_t i) {
    if (s[i] == ' ') return 1;
    if (s.size() - i >= 2 && s.compare(i, 2, "\xC2\xA0") == 0) return 2;
    if (s.size() - i >= 3 && s.compare(i, 3, "\xE2\x80\xAF") == 0) return 3;
    return 0;
}

std::string_view trim(std::string_view s) {
    for (;;) {
        if (s.empty()) return s;
        if (s.back() == '\t' || s.back() == ' ') s.remove_suffix(1);
        else if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") s.remove_suffix(2);
        else if (s.size() >= 3 && s.substr(s.size() - 3) == "\xE2\x80\xAF") s.remove_suffix(3);
        else break;
    }
    for (;;) {
        if (s.empty()) return s;
        if (s.front() == '\t' || s.front() == ' ') s.remove_prefix(1);
        else if (s.size() >= 2 && s.substr(0, 2) == "\xC2\xA0") s.remove_prefix(2);
        else if (s.size() >= 3 && s.substr(0, 3) == "\xE2\x80\xAF") s.remove_prefix(3);
        else break;
    }
    return s;
}

bool strip_unit(std::string_view& s) {
    static const char* const units[] = {"\xE2\x82\xAC", "EUR", "%"};
    for (const char* u : units) {
        size_t n = std::strlen(u);
        if (s.size() > n && s.substr(s.size() - n) == u) {
            s.remove_suffix(n);
            s = trim(s);
            return true;
        }
        if (s.size() > n && s.substr(0, n) == u) {
            s.remove_prefix(n);
            s = trim(s);
            return true;
        }
    }
    return false;
}

// Reads 1..max digits at s[i]; returns the count (0 if none) and the value.
size_t digits(std::string_view s, size_t i, size_t max, int& value) {
    size_t n = 0;
    value = 0;
    while (i + n < s.size() && is_digit(s[i + n]) && n < max) value = value * 10 + (s[i + n++] - '0');
    if (i + n < s.size() && is_digit(s[i + n])) return 0;  // too many digits
    return n;
}

}  // namespace

NumberShape number_shape(std::string_view v) {
    NumberShape r;
    std::string_view s = trim(v);
    bool unit = strip_unit(s);
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s = trim(s.substr(1));
    if (!unit) unit = strip_unit(s);
    r.unit = unit;
    if (s.empty()) return r;
    std::vector<size_t> runs;
    std::vector<std::string> seps;
    size_t i = 0;
    if (s[0] == ',' || s[0] == '.') {  // ",5" / ".5"
        if (s.size() < 2) return r;
        for (size_t k = 1; k < s.size(); ++k)
            if (!is_digit(s[k])) return r;
        r.ok = true;
        r.decimal = s[0];
        return r;
    }
    while (i < s.size()) {
        size_t start = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        if (i == start) return r;
        runs.push_back(i - start);
        if (i == s.size()) break;
        size_t sl = space_len(s, i);
        if (!sl && (s[i] == ',' || s[i] == '.' || s[i] == '\'')) sl = 1;
        if (!sl || i + sl >= s.size()) return r;
        seps.emplace_back(s.substr(i, sl));
        i += sl;
    }
    r.int_digits = runs[0];
    r.leading_zero = runs[0] > 1 && s[0] == '0';
    auto grouped = [&](size_t nruns) {  // runs[0..nruns) form thousands groups
        if (runs[0] > 3) return false;
        for (size_t k = 1; k < nruns; ++k)
            if (runs[k] != 3) return false;
        return true;
    };
    if (seps.empty()) {
        r.ok = true;
        return r;
    }
    const std::string& last = seps.back();
    size_t n = seps.size();
    if (last == "," || last == ".") {
        size_t same = static_cast<size_t>(std::count(seps.begin(), seps.end(), last));
        if (same == 1) {
            if (n > 1) {
                for (size_t k = 0; k + 1 < n; ++k)
                    if (seps[k] != seps[0]) return r;
                if (!grouped(n)) return r;
                r.ok = true;
                r.decimal = last[0];
                r.thousands = seps[0];
                r.int_digits = 0;
                for (size_t k = 0; k < n; ++k) r.int_digits += runs[k];
                return r;
            }
            r.ok = true;
            if (runs[1] == 3 && runs[0] <= 3 && !(runs[0] == 1 && s[0] == '0')) r.ambiguous = last[0];
            else r.decimal = last[0];
            return r;
        }
        if (same != n) return r;
    } else {
        for (const auto& sp : seps)
            if (sp != last) return r;
    }
    if (!grouped(n + 1)) return r;
    r.ok = true;
    r.thousands = last;
    r.int_digits = 0;
    for (size_t k : runs) r.int_digits += k;
    return r;
}

// After a date's first number at s[i]: separator, up to 2 digits, the same
// separator, then `last_digits` digits (up to 4). Sets middle/last and
// moves i past them; false when the shape differs. The last number's digit
// count is returned in `last_count`.
bool date_tail(std::string_view s, size_t& i, int& middle, int& last, size_t last_digits, size_t& last_count) {
    auto is_sep = [](char c) { return c == '/' || c == '-' || c == '.'; };
    if (i >= s.size() || !is_sep(s[i])) return false;
    char sep = s[i++];
    size_t n = digits(s, i, 2, middle);
    if (n == 0) return false;
    i += n;
    if (i >= s.size() || s[i] != sep) return false;
    ++i;
    last_count = digits(s, i, last_digits, last);
    i += last_count;
    return last_count > 0;
}

DateShape date_shape(std::string_view v) {
    DateShape r;
    std::string_view s = trim(v);
    int x = 0, y = 0, z = 0;
    size_t i = 0, n, last_count = 0;
    if ((n = digits(s, 0, 4, x)) == 4) {
        i = 4;
        if (!date_tail(s, i, y, z, 2, last_count)) return r;
        if (y < 1 || y > 12 || z < 1 || z > 31) return r;
        r.year_first = true;
        r.a = y;
        r.b = z;
    } else if (n >= 1 && n <= 2) {
        i = n;
        if (!date_tail(s, i, y, z, 4, last_count) || (last_count != 2 && last_count != 4)) return r;
        if (x < 1 || y < 1 || x > 31 || y > 31 || (x > 12 && y > 12)) return r;
        r.a = x;
        r.b = y;
    } else {
        return r;
    }
    if (i == s.size()) {
        r.ok = true;
        return r;
    }
    // Optional time: [ T]hh:mm[:ss[.fff]][Z|+hh[:mm]|-hh[:mm]]
    if (s[i] != ' ' && s[i] != 'T') return r;
    ++i;
    int h, m, sec;
    if (!(n = digits(s, i, 2, h))) return r;
    i += n;
    if (i >= s.size() || s[i] != ':') return r;
    ++i;
    if (digits(s, i, 2, m) != 2) return r;
    i += 2;
    if (i < s.size() && s[i] == ':') {
        ++i;
        if (digits(s, i, 2, sec) != 2 || sec > 60) return r;
        i += 2;
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
            ++i;
            size_t f = 0;
            while (i < s.size() && is_digit(s[i])) ++i, ++f;
            if (!f) return r;
        }
    }
    if (h > 23 || m > 59) return r;
    if (i < s.size() && s[i] == 'Z') ++i;
    else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
        int tz;
        if (digits(s, i, 2, tz) != 2) return r;
        i += 2;
        if (i < s.size() && s[i] == ':') {
            ++i;
            if (digits(s, i, 2, tz) != 2) return r;
            i += 2;
        }
    }
    if (i != s.size()) return r;
    r.ok = true;
    r.has_time = true;
    return r;
}

bool is_boolean_word(std::string_view v) {
    std::string s;
    for (char c : trim(v)) s += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    static const char* const words[] = {"oui", "non", "vrai", "faux", "true", "false", "yes", "no"};
    for (const char* w : words)
        if (s == w) return true;
    return false;
}

}  // namespace sniff

namespace {

using sniff::ValueKind;

// Decodes the sample to UTF-8; a cut sample loses its last partial line.
std::string decode_sample(std::string_view raw, Encoding& enc, bool detected, bool cut) {
    if (cut && (enc == Encoding::Utf16LE || enc == Encoding::Utf16BE)) {
        if (raw.size() % 2) raw.remove_suffix(1);
        if (raw.size() >= 2) {
            unsigned hi = static_cast<unsigned char>(raw[raw.size() - (enc == Encoding::Utf16LE ? 1 : 2)]);
            if (hi >= 0xD8 && hi <= 0xDB) raw.remove_suffix(2);
        }
    }
    auto run = [&](Encoding e) {
        MemorySource src(raw);
        auto dec = make_utf8_source(src, e);
        std::string out;
        char buf[65536];
        size_t n;
        while ((n = dec->read(buf, sizeof buf)) > 0) out.append(buf, n);
        return out;
    };
    std::string text;
    try {
        text = run(enc);
    } catch (const ParseError&) {
        if (enc != Encoding::Windows1252) throw;
        text = run(Encoding::Latin1);  // bytes undefined in Windows-1252: keep them as Latin-1
        if (detected) enc = Encoding::Latin1;
    }
    if (cut) {
        size_t lf = text.find_last_of("\r\n");
        if (lf != std::string::npos) text.resize(lf + 1);
    }
    return text;
}

// The whole sample fits in the reader's window: no 1 MiB allocation for a small sample.
CsvLimits sample_limits(const std::string& text) {
    CsvLimits lim;
    lim.buffer_bytes = std::min<size_t>(text.size() + 64, lim.buffer_bytes);
    return lim;
}

struct Candidate {
    CsvDialect d;
    std::vector<size_t> counts;
    std::vector<std::uint64_t> lines;
    size_t mode = 0;
    size_t first = 0;  // first record of the table
    size_t mode_freq = 0;
    double consistency = 0;
};

void parse_counts(const std::string& text, Candidate& c, size_t max_records) {
    MemorySource src(text);
    CsvDialect d = c.d;
    d.header = false;
    d.skip_rows = 0;
    try {
        CsvReader r(src, d, {}, sample_limits(text));
        CsvRecord rec;
        while (c.counts.size() < max_records && r.next(rec)) {
            c.counts.push_back(rec.fields.size());
            c.lines.push_back(rec.line);
        }
    } catch (const ParseError&) {
        // a cut sample or a wrong guess: judge on what was read
    }
    std::map<size_t, size_t> freq;
    for (size_t n : c.counts) ++freq[n];
    size_t best = 0;
    for (auto& [n, f] : freq)
        if (f >= best) {
            best = f;
            c.mode = n;
        }
    c.first = 0;
    for (size_t i = 0; i < c.counts.size(); ++i) {
        if (c.counts[i] == c.mode && (i + 1 == c.counts.size() || c.counts[i + 1] == c.mode)) {
            c.first = i;
            break;
        }
    }
    // A preamble is short: at most 20 records and less than half of the sample.
    if (c.first > 20 || c.first * 2 > c.counts.size()) c.first = 0;
    c.mode_freq = best;
    // A header may have one field fewer than the rows (missing trailing delimiter).
    if (c.first > 0 && c.counts[c.first - 1] >= 2 && c.counts[c.first - 1] + 1 >= c.mode) --c.first;
    size_t tail = c.counts.size() - c.first, same = 0;
    for (size_t i = c.first; i < c.counts.size(); ++i) same += c.counts[i] == c.mode;
    c.consistency = tail ? static_cast<double>(same) / static_cast<double>(tail) : 0;
}

// True when candidate a is a better table than b.
bool better(const Candidate& a, const Candidate& b) {
    auto qualified = [](const Candidate& c) {
        return c.mode >= 2 && c.consistency >= 0.9 && (c.mode_freq >= 2 || c.counts.size() < 2);
    };
    bool qa = qualified(a), qb = qualified(b);
    if (qa != qb) return qa;
    if (qa) {
        // A table that needs no preamble beats one that must skip its header as "preamble".
        if (a.first != b.first) return a.first < b.first;
        if (a.mode != b.mode) return a.mode > b.mode;
        return a.consistency > b.consistency;
    }
    bool ma = a.mode >= 2, mb = b.mode >= 2;
    if (ma != mb) return ma;
    if (a.consistency != b.consistency) return a.consistency > b.consistency;
    return a.mode > b.mode;
}

char detect_escape(const std::string& text, char quote) {
    size_t backslash = 0, doubled = 0;
    for (size_t i = 0; i + 2 < text.size(); ++i) {
        if (text[i] == '\\' && text[i + 1] == quote && text[i + 2] != '\n' && text[i + 2] != '\r' &&
            text[i + 2] != ',' && text[i + 2] != ';' && text[i + 2] != '\t' && text[i + 2] != '|')
            ++backslash;
        else if (text[i] == quote && text[i + 1] == quote && text[i + 2] != quote && i > 0 &&
                 text[i - 1] != ',' && text[i - 1] != ';' && text[i - 1] != '\t' && text[i - 1] != '|' &&
                 text[i - 1] != '\n')
            ++doubled;
    }
    return backslash > 0 && doubled == 0 ? '\\' : quote;
}

bool looks_typed(std::string_view v) {
    return sniff::date_shape(v).ok || sniff::number_shape(v).ok || sniff::is_boolean_word(v);
}

// A header row: some column has text over mostly typed values below, or the
// row is all distinct, non-empty, untyped text.
bool header_like(const std::vector<std::vector<std::string>>& rows, size_t at) {
    if (at >= rows.size()) return false;
    const auto& first = rows[at];
    bool all_text = !first.empty();
    std::set<std::string> seen;
    std::vector<char> text_cell(first.size());
    for (size_t j = 0; j < first.size(); ++j) {
        text_cell[j] = !sniff::trim(first[j]).empty() && !looks_typed(first[j]);
        if (!text_cell[j] || !seen.insert(first[j]).second) all_text = false;
    }
    // Row-major over the rows below (at most 200 are enough to judge).
    std::vector<size_t> typed(first.size()), nonempty(first.size());
    for (size_t i = at + 1; i < rows.size() && i <= at + 200; ++i) {
        const size_t n = std::min(first.size(), rows[i].size());
        for (size_t j = 0; j < n; ++j) {
            if (!text_cell[j] || sniff::trim(rows[i][j]).empty()) continue;
            ++nonempty[j];
            typed[j] += looks_typed(rows[i][j]);
        }
    }
    bool strong = false;
    for (size_t j = 0; j < first.size(); ++j)
        if (nonempty[j] && typed[j] * 2 > nonempty[j]) strong = true;
    return strong || all_text;
}

}  // namespace

SniffResult sniff_csv(std::string_view raw_sample, const SniffOptions& o) {
    SniffResult res;
    const bool cut = raw_sample.size() >= o.sample_bytes;
    std::string_view raw = raw_sample.substr(0, o.sample_bytes);
    res.encoding = o.encoding ? *o.encoding : detect_encoding(raw);
    std::string text = decode_sample(raw, res.encoding, !o.encoding, cut);
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);

    // Dialect: the delimiter and quote giving the most consistent table.
    const size_t kMaxRecords = 2000;
    std::vector<char> delims = o.delimiter ? std::vector<char>{*o.delimiter} : std::vector<char>{';', ',', '\t', '|'};
    std::vector<char> quotes = o.quote ? std::vector<char>{*o.quote} : std::vector<char>{'"', '\''};
    Candidate best;
    bool have = false;
    for (char q : quotes) {
        char esc = o.escape ? *o.escape : (q ? detect_escape(text, q) : q);
        for (char dl : delims) {
            if (dl == q) continue;
            Candidate c;
            c.d.delimiter = dl;
            c.d.quote = q;
            c.d.escape = esc;
            if (esc == dl || dl == '\0' || dl == '\n' || dl == '\r') continue;
            parse_counts(text, c, kMaxRecords);
            if (!have || better(c, best)) {
                best = std::move(c);
                have = true;
            }
        }
    }
    if (!have) {  // only possible with contradictory options
        throw Error(sqlstate::kInvalidParameterValue, "delimiter and quote must differ");
    }
    if (best.mode < 2 && !o.delimiter) best.d.delimiter = ',';
    res.dialect = best.d;
    // The table itself: every record from the top (or after the given skip_rows).
    std::vector<std::vector<std::string>> rows;
    std::vector<std::uint64_t> lines;
    {
        MemorySource src(text);
        CsvDialect d = res.dialect;
        d.header = false;
        d.skip_rows = o.skip_rows ? *o.skip_rows : 0;
        try {
            CsvReader r(src, d, {}, sample_limits(text));
            CsvRecord rec;
            while (rows.size() < 10000 && r.next(rec)) {
                rows.emplace_back(rec.fields.begin(), rec.fields.end());
                lines.push_back(rec.line);
            }
        } catch (const ParseError&) {
            if (rows.empty() && !cut) throw;
        }
    }
    if (o.skip_rows) {
        res.dialect.skip_rows = *o.skip_rows;
    } else {
        size_t start = best.mode >= 2 ? std::min(best.first, rows.size()) : 0;
        // A preamble line may happen to have as many fields as the table
        // ("Période;01/01/2024;31/12/2024"): when a blank line among the first 30
        // lines is followed by a header-like row and a consistent table, start there.
        if (best.mode >= 2) {
            std::vector<std::uint64_t> blanks;
            std::uint64_t ln = 1;
            for (size_t i = 0; i < text.size() && ln <= 30;) {
                size_t e = text.find_first_of("\r\n", i);
                if (e == std::string::npos) break;
                if (e == i) blanks.push_back(ln);
                i = e + ((text[e] == '\r' && e + 1 < text.size() && text[e + 1] == '\n') ? 2 : 1);
                ++ln;
            }
            for (auto it = blanks.rbegin(); it != blanks.rend(); ++it) {
                size_t k = static_cast<size_t>(std::upper_bound(lines.begin(), lines.end(), *it) - lines.begin());
                if (k <= start || k > start + 20 || rows.size() - k < 2) continue;
                size_t same = 0;
                for (size_t i = k; i < rows.size(); ++i) same += rows[i].size() == best.mode;
                if (same * 10 < (rows.size() - k) * 9 || !header_like(rows, k)) continue;
                start = k;
                break;
            }
        }
        res.dialect.skip_rows = start < lines.size() ? static_cast<int>(lines[start] - 1) : 0;
        rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(start));
    }

    // Header: a first row of text over typed columns, or of distinct non-empty text.
    bool header;
    if (o.header) {
        header = *o.header;
    } else if (rows.empty()) {
        header = true;
    } else {
        header = header_like(rows, 0);
    }
    res.dialect.header = header;

    size_t first_data = header && !rows.empty() ? 1 : 0;
    res.sample_rows = rows.size() - first_data;

    // Votes for the decimal separator, thousands separator and date order.
    size_t dec_votes[2] = {0, 0};  // ',' '.'
    size_t amb_votes[2] = {0, 0};
    std::map<std::string, size_t> thou_votes;
    size_t dmy = 0, mdy = 0, ymd = 0, ambiguous_dates = 0;
    for (size_t i = first_data; i < rows.size(); ++i) {
        for (const auto& v : rows[i]) {
            auto ds = sniff::date_shape(v);
            if (ds.ok) {
                if (ds.year_first) ++ymd;
                else if (ds.a > 12) ++dmy;
                else if (ds.b > 12) ++mdy;
                else ++ambiguous_dates;
                continue;
            }
            auto ns = sniff::number_shape(v);
            if (!ns.ok) continue;
            if (ns.decimal) ++dec_votes[ns.decimal == '.'];
            if (ns.ambiguous) ++amb_votes[ns.ambiguous == '.'];
            if (!ns.thousands.empty()) ++thou_votes[ns.thousands];
        }
    }
    if (o.decimal) {
        res.decimal = *o.decimal;
    } else if (dec_votes[0] != dec_votes[1]) {
        res.decimal = dec_votes[0] > dec_votes[1] ? ',' : '.';
    } else {
        res.decimal = res.dialect.delimiter == ',' ? '.' : ',';
    }
    if (o.thousands) {
        res.thousands = *o.thousands;
    } else {
        // Ambiguous values read with the chosen decimal: the other character groups thousands.
        if (res.decimal == ',' && amb_votes[1]) thou_votes["."] += amb_votes[1];  // "1.234"
        if (res.decimal == '.' && amb_votes[0]) thou_votes[","] += amb_votes[0];  // "1,234"
        size_t best_n = 0;
        for (auto& [t, n] : thou_votes)
            if (n > best_n && t != std::string(1, res.decimal)) {
                best_n = n;
                res.thousands = t;
            }
    }
    if (o.date_format) {
        res.date_format = *o.date_format;
    } else if (dmy || mdy) {
        res.date_format = mdy > dmy ? "MDY" : "DMY";
    } else if (ambiguous_dates) {
        res.date_format = "DMY";
    } else if (ymd) {
        res.date_format = "YMD";
    }

    // Column types with the decided conventions.
    size_t ncols = 0;
    if (header && !rows.empty()) {
        ncols = rows[0].size();
    } else {
        std::map<size_t, size_t> freq;
        for (size_t i = first_data; i < rows.size(); ++i) ++freq[rows[i].size()];
        size_t bestf = 0;
        for (auto& [n, f] : freq)
            if (f >= bestf) bestf = f, ncols = n;
    }
    const bool mdy_order = res.date_format == "MDY";
    // Real exports carry a few bad values (a "31/02/2024", a "douze"): a
    // type wins when at most 1 % of a column's values disagree with it (none
    // in samples under 100 values), so the loader can quarantine the rest.
    struct Acc {
        size_t total = 0, boolean = 0, integer = 0, number = 0, date = 0, timestamp = 0;
    };
    std::vector<Acc> acc(ncols);
    const std::string dec(1, res.decimal);
    for (size_t i = first_data; i < rows.size(); ++i) {  // row-major: cost is the number of cells
        if (header && rows[i].size() != ncols) continue;  // a ragged row's fields are shifted
        const size_t n = std::min(ncols, rows[i].size());
        for (size_t j = 0; j < n; ++j) {
            std::string_view v = rows[i][j];
            if (sniff::trim(v).empty()) continue;
            ValueKind k = ValueKind::Text;
            if (sniff::is_boolean_word(v)) {
                k = ValueKind::Boolean;
            } else if (auto ds = sniff::date_shape(v); ds.ok) {
                bool valid = ds.year_first || (mdy_order ? ds.a <= 12 : ds.b <= 12);
                if (valid) k = ds.has_time ? ValueKind::Timestamp : ValueKind::Date;
            } else if (auto ns = sniff::number_shape(v); ns.ok) {
                if (ns.thousands == dec) k = ValueKind::Text;
                else if (ns.decimal) k = ns.decimal == res.decimal ? ValueKind::Numeric : ValueKind::Text;
                else if (ns.ambiguous) k = ns.ambiguous == res.decimal ? ValueKind::Numeric : ValueKind::Integer;
                else if (ns.leading_zero) k = ValueKind::Text;  // codes such as "00123" keep their zeros
                else k = ValueKind::Integer;
                if (k == ValueKind::Integer && (ns.unit || ns.int_digits > 18)) k = ValueKind::Numeric;
            }
            Acc& c = acc[j];
            ++c.total;
            c.boolean += k == ValueKind::Boolean;
            c.integer += k == ValueKind::Integer;
            c.number += k == ValueKind::Integer || k == ValueKind::Numeric;
            c.date += k == ValueKind::Date;
            c.timestamp += k == ValueKind::Date || k == ValueKind::Timestamp;
        }
    }
    for (size_t j = 0; j < ncols; ++j) {
        ColumnGuess g;
        g.header = header ? rows[0][j] : std::string();  // no header: crm_sniff names the column col_N
        const Acc& c = acc[j];
        const size_t tolerance = c.total / 100;
        auto fits = [&](size_t matching) { return c.total > 0 && c.total - matching <= tolerance; };
        if (fits(c.boolean)) g.type = "boolean";
        else if (fits(c.integer)) g.type = "integer";
        else if (fits(c.number)) g.type = "numeric";
        else if (fits(c.date)) g.type = "date";
        else if (fits(c.timestamp)) g.type = "timestamp";
        else g.type = "text";
        res.columns.push_back(std::move(g));
    }
    return res;
}

}  // namespace crm
