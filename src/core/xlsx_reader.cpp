#include "core/xlsx_reader.hpp"
#include "core/read_ahead.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/xml_stream.hpp"

#include "core/core_only.hpp"

namespace crm {

namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxQueuedRows = 4096;
constexpr std::size_t kMaxQueuedCells = 32768;  // allocated cells held by queued rows

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
    s = trim(s);
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out, std::chars_format::general);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
}

// True when `s` is already what xlsx_format_number would write for its
// value: [-]d...[.d...] with a first digit 1-9 (|v| >= 1, so plain
// notation), at most 15 significant digits (a double keeps any such decimal
// exactly, so no shorter string names it) and no trailing fractional zero.
bool already_shortest(std::string_view s) {
    std::size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
    if (i >= s.size() || s[i] < '1' || s[i] > '9') return s == "0";
    int digits = 0;
    bool point = false;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (++digits > 15) return false;
        } else if (c == '.' && !point) {
            point = true;
        } else {
            return false;
        }
    }
    return !point || (s.back() != '0' && s.back() != '.');
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Joins a relationship target to the directory of its source part and
// normalises "." and ".."; "" when the result would leave the package.
std::string resolve_part(std::string_view base_dir, std::string_view target) {
    std::string joined;
    if (!target.empty() && target.front() == '/') {
        joined = std::string(target.substr(1));
    } else {
        joined = std::string(base_dir) + std::string(target);
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= joined.size()) {
        std::size_t end = joined.find('/', start);
        if (end == std::string::npos) end = joined.size();
        std::string seg = joined.substr(start, end - start);
        if (seg == "..") {
            if (parts.empty()) return {};
            parts.pop_back();
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(std::move(seg));
        }
        start = end + 1;
    }
    std::string out;
    for (auto& p : parts) {
        if (!out.empty()) out += '/';
        out += p;
    }
    return out;
}

std::string dir_of(std::string_view part) {
    auto slash = part.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

std::string rels_of(std::string_view part) {
    auto slash = part.rfind('/');
    std::string dir = slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
    std::string file(slash == std::string_view::npos ? part : part.substr(slash + 1));
    return dir + "_rels/" + file + ".rels";
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// OOXML escapes characters XML cannot carry as _xHHHH_ (and "_" before such a
// sequence as _x005F_). Decodes them in place from `from`; _x0000_ and
// surrogates are left literally.
void unescape_ooxml(std::string& s, std::size_t from = 0) {
    std::size_t pos = s.find("_x", from);
    if (pos == std::string::npos) return;
    std::string out = s.substr(0, pos);
    std::size_t i = pos;
    while (i < s.size()) {
        if (s[i] == '_' && i + 6 < s.size() + 0 && s[i + 1] == 'x' && s[i + 6] == '_') {
            unsigned cp = 0;
            bool ok = true;
            for (int k = 2; k < 6; ++k) {
                int h = hex_value(s[i + k]);
                if (h < 0) {
                    ok = false;
                    break;
                }
                cp = cp * 16 + static_cast<unsigned>(h);
            }
            if (ok && cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
                append_utf8(out, cp);
                i += 7;
                continue;
            }
        }
        out += s[i++];
    }
    s.swap(out);
}

// Days since 1970-01-01 to civil date (proleptic Gregorian).
void civil_from_days(long long z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long yy = static_cast<long long>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(yy + (m <= 2));
}

long long days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

constexpr long long kDays1899_12_30 = -25569;  // days_from_civil(1899, 12, 30)
constexpr long long kDays1904_01_01 = -24107;  // days_from_civil(1904, 1, 1)

void append_2(std::string& out, unsigned v) {
    out += static_cast<char>('0' + v / 10 % 10);
    out += static_cast<char>('0' + v % 10);
}

void append_date(std::string& out, int y, unsigned m, unsigned d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-", y);
    out += buf;
    append_2(out, m);
    out += '-';
    append_2(out, d);
}

bool builtin_date(std::uint32_t id, XlsxFormatKind& k) {
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58)) {
        k.date = true;
        return true;
    }
    if (id == 22) {
        k.date = k.time = true;
        return true;
    }
    if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47)) {
        k.time = true;
        return true;
    }
    return false;
}

// Parses an ISO 8601 date/datetime (t="d" cells). Writes the rendering and
// the serial (in the given system); false when malformed.
bool parse_iso_date(std::string_view s, bool date1904, std::string& text, double& serial, bool& has_time) {
    s = trim(s);
    auto digits = [&](std::size_t pos, std::size_t n, unsigned& v) {
        if (pos + n > s.size()) return false;
        v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + static_cast<unsigned>(s[i] - '0');
        }
        return true;
    };
    unsigned y, mo, d, h = 0, mi = 0, se = 0;
    if (!digits(0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    has_time = false;
    std::size_t pos = 10;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
        if (!digits(pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(pos + 4, 2, mi)) return false;
        pos += 6;
        if (pos < s.size() && s[pos] == ':') {
            if (!digits(pos + 1, 2, se)) return false;
            pos += 3;
            if (pos < s.size() && s[pos] == '.') {
                ++pos;
                while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
            }
        }
        if (pos < s.size() && s[pos] == 'Z') ++pos;
        if (h > 23 || mi > 59 || se > 60) return false;
        has_time = true;
    }
    if (pos != s.size()) return false;
    long long days = days_from_civil(static_cast<int>(y), mo, d);
    int cy;
    unsigned cm, cd;
    civil_from_days(days, cy, cm, cd);
    if (cm != mo || cd != d) return false;  // 2021-02-30
    text.clear();
    append_date(text, static_cast<int>(y), mo, d);
    if (has_time) {
        text += ' ';
        append_2(text, h);
        text += ':';
        append_2(text, mi);
        text += ':';
        append_2(text, se);
    }
    double base = static_cast<double>(days - (date1904 ? kDays1904_01_01 : kDays1899_12_30));
    if (!date1904 && base < 61) base -= 1;  // before the fictitious 1900-02-29
    serial = base + (h * 3600.0 + mi * 60.0 + se) / 86400.0;
    return true;
}

// ------------------------------------------------------------ small parts

struct Relationship {
    std::string id, type, target;
    bool external = false;
};

class RelsHandler : public XmlHandler {
public:
    std::vector<Relationship> rels;
    void on_start(std::string_view local, const char** a) override {
        if (local != "Relationship") return;
        Relationship r;
        if (const char* v = XmlStream::attr(a, "Id")) r.id = v;
        if (const char* v = XmlStream::attr(a, "Type")) r.type = v;
        if (const char* v = XmlStream::attr(a, "Target")) r.target = v;
        if (const char* v = XmlStream::attr(a, "TargetMode")) r.external = iequals(v, "External");
        rels.push_back(std::move(r));
    }
    void on_end(std::string_view) override {}
    void on_text(const char*, int) override {}
};

class WorkbookHandler : public XmlHandler {
public:
    struct Sheet {
        std::string name, rid;
    };
    std::vector<Sheet> sheets;
    bool date1904 = false;
    bool saw_workbook = false;
    void on_start(std::string_view local, const char** a) override {
        if (local == "workbook") {
            saw_workbook = true;
        } else if (local == "workbookPr") {
            if (const char* v = XmlStream::attr(a, "date1904")) date1904 = iequals(v, "1") || iequals(v, "true");
        } else if (local == "sheet") {
            Sheet s;
            if (const char* v = XmlStream::attr(a, "name")) s.name = v;
            if (const char* v = XmlStream::attr(a, "id")) s.rid = v;
            sheets.push_back(std::move(s));
        }
    }
    void on_end(std::string_view) override {}
    void on_text(const char*, int) override {}
};

class StylesHandler : public XmlHandler {
public:
    std::unordered_map<std::uint32_t, std::string> custom;
    std::vector<std::uint32_t> xf_fmt;
    int in_cell_xfs = 0;
    void on_start(std::string_view local, const char** a) override {
        if (local == "numFmt") {
            std::uint64_t id;
            const char* idv = XmlStream::attr(a, "numFmtId");
            const char* code = XmlStream::attr(a, "formatCode");
            if (idv && code && parse_u64(idv, id) && id <= UINT32_MAX) custom[static_cast<std::uint32_t>(id)] = code;
        } else if (local == "cellXfs") {
            ++in_cell_xfs;
        } else if (local == "xf" && in_cell_xfs > 0) {
            std::uint64_t id = 0;
            const char* idv = XmlStream::attr(a, "numFmtId");
            if (!idv || !parse_u64(idv, id) || id > UINT32_MAX) id = 0;
            if (xf_fmt.size() < 1000000) xf_fmt.push_back(static_cast<std::uint32_t>(id));
        }
    }
    void on_end(std::string_view local) override {
        if (local == "cellXfs" && in_cell_xfs > 0) --in_cell_xfs;
    }
    void on_text(const char*, int) override {}
};

}  // namespace

// ------------------------------------------------------------ public helpers

std::string xlsx_column_name(std::uint32_t col) {
    std::string out;
    std::uint64_t n = static_cast<std::uint64_t>(col) + 1;
    while (n > 0) {
        out.insert(out.begin(), static_cast<char>('A' + (n - 1) % 26));
        n = (n - 1) / 26;
    }
    return out;
}

bool xlsx_serial_to_text(double serial, bool date1904, bool with_time, std::string& out) {
    if (!std::isfinite(serial) || serial < 0 || serial >= 2958466.0) return false;  // up to 9999-12-31
    double whole = std::floor(serial);
    long long days = static_cast<long long>(whole);
    long long secs = std::llround((serial - whole) * 86400.0);
    if (secs >= 86400) {
        ++days;
        secs -= 86400;
    }
    out.clear();
    if (!date1904 && days == 60) {
        out = "1900-02-29";  // Lotus 1-2-3's fictitious leap day, kept as Excel shows it
    } else {
        long long unix_days;
        if (date1904) {
            unix_days = kDays1904_01_01 + days;
        } else {
            if (days == 0) return false;  // "1900-01-00" does not exist: stays a number
            unix_days = kDays1899_12_30 + days + (days < 60 ? 1 : 0);
        }
        int y;
        unsigned m, d;
        civil_from_days(unix_days, y, m, d);
        if (y > 9999) return false;
        append_date(out, y, m, d);
    }
    if (with_time) {
        out += ' ';
        append_2(out, static_cast<unsigned>(secs / 3600));
        out += ':';
        append_2(out, static_cast<unsigned>(secs / 60 % 60));
        out += ':';
        append_2(out, static_cast<unsigned>(secs % 60));
    }
    return true;
}

void xlsx_format_number(double v, std::string& out) {
    out.clear();
    if (v == 0 || !std::isfinite(v)) {
        out = v == 0 ? "0" : std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        return;
    }
    // Shortest round-trip digits, then laid out like ECMAScript's
    // Number.prototype.toString: plain notation for 1e-7 <= |v| < 1e21.
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
    bool neg = sci.front() == '-';
    if (neg) sci.remove_prefix(1);
    std::size_t e = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e))
        if (c != '.') digits += c;
    int exp = 0;
    std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp);
    if (neg) out += '-';
    if (exp < -7 || exp >= 21) {
        out.append(sci.data(), sci.size());
        return;
    }
    int n = static_cast<int>(digits.size());
    if (exp < 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-exp - 1), '0');
        out += digits;
    } else if (exp + 1 >= n) {
        out += digits;
        out.append(static_cast<std::size_t>(exp + 1 - n), '0');
    } else {
        out.append(digits, 0, static_cast<std::size_t>(exp + 1));
        out += '.';
        out.append(digits, static_cast<std::size_t>(exp + 1), std::string::npos);
    }
}

XlsxFormatKind xlsx_classify_format(std::string_view code) {
    XlsxFormatKind k;
    bool month_or_minute = false;
    for (std::size_t i = 0; i < code.size(); ++i) {
        char c = code[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        switch (c) {
            case '"': {
                auto end = code.find('"', i + 1);
                i = end == std::string_view::npos ? code.size() : end;
                break;
            }
            case '\\':
            case '_':
            case '*':
                ++i;  // next char is literal / padding
                break;
            case '[': {
                auto end = code.find(']', i + 1);
                std::string_view inside = code.substr(i + 1, (end == std::string_view::npos ? code.size() : end) - i - 1);
                // [h], [mm], [ss]: elapsed time; anything else ([Red], [$-40C], [>100]) is ignored.
                if (!inside.empty()) {
                    char f = inside.front();
                    if (f >= 'A' && f <= 'Z') f = static_cast<char>(f - 'A' + 'a');
                    if ((f == 'h' || f == 'm' || f == 's') &&
                        inside.find_first_not_of(std::string_view("hHmMsS")) == std::string_view::npos) {
                        k.time = true;
                    }
                }
                i = end == std::string_view::npos ? code.size() : end;
                break;
            }
            case 'a':
                if (code.size() - i >= 5 && iequals(code.substr(i, 5), "am/pm")) {
                    k.time = true;
                    i += 4;
                } else if (code.size() - i >= 3 && iequals(code.substr(i, 3), "a/p")) {
                    k.time = true;
                    i += 2;
                }
                break;
            case 'd':
            case 'y':
                k.date = true;
                break;
            case 'm':
                month_or_minute = true;
                break;
            case 'h':
            case 's':
                k.time = true;
                break;
            default:
                break;
        }
    }
    if (month_or_minute && !k.time) k.date = true;  // "mmm", "mm/yy"...
    return k;
}

// ------------------------------------------------------------ sheet parser

class XlsxReader::SheetParser : public XmlHandler {
public:
    SheetParser(XlsxReader& owner, const std::string& part, std::string sheet)
        : owner_(owner),
          sheet_(std::move(sheet)),
          reader_(owner.zip_->open_member(part)),
          ahead_([member = reader_.get()](char* buf, std::size_t n) { return member->read(buf, n); }),
          xml_(*this, owner.name_ + ": " + part, owner.limits_.max_xml_depth) {}

    bool next(XlsxRow& out) {
        while (ready_.empty()) {
            if (error_) std::rethrow_exception(error_);
            if (eof_ && !xml_.suspended()) return false;
            try {
                if (xml_.suspended()) {
                    xml_.resume();
                    continue;
                }
                char* buf = xml_.buffer(kChunk);
                std::size_t n = ahead_.read(buf, kChunk);
                if (n == 0) eof_ = true;
                xml_.parse_buffer(n, eof_);
            } catch (const Cancelled&) {
                throw;
            } catch (...) {
                // Rows completed before the error are still delivered; the
                // error surfaces when they are exhausted.
                error_ = std::current_exception();
            }
        }
        queued_cells_ -= std::min(queued_cells_, ready_.front().cells.capacity());
        std::swap(out, ready_.front());
        spare_.push_back(std::move(ready_.front()));
        ready_.pop_front();
        ticker_.tick();
        return true;
    }

    void on_start(std::string_view local, const char** a) override {
        if (local == "c") {
            if (in_row_) start_cell(a);
        } else if (local == "v") {
            if (in_cell_) capture_ = &val_;
        } else if (local == "t") {
            if (in_is_ && rph_depth_ == 0) capture_ = &inline_;
        } else if (local == "is") {
            if (in_cell_) {
                in_is_ = true;
                has_is_ = true;
            }
        } else if (local == "rPh") {
            if (in_is_) ++rph_depth_;
        } else if (local == "row") {
            start_row(a);
        } else if (local == "sheetData") {
            in_data_ = true;
        }
    }

    void on_end(std::string_view local) override {
        if (local == "v" || local == "t") {
            capture_ = nullptr;
        } else if (local == "c") {
            if (in_cell_) finish_cell();
        } else if (local == "is") {
            in_is_ = false;
        } else if (local == "rPh") {
            if (rph_depth_ > 0) --rph_depth_;
        } else if (local == "row") {
            if (in_row_) finish_row();
        } else if (local == "sheetData") {
            in_data_ = false;
        }
    }

    void on_text(const char* s, int len) override {
        if (!capture_) return;
        if (capture_->size() + static_cast<std::size_t>(len) > owner_.limits_.max_cell_bytes) {
            fail("cell text longer than " + std::to_string(owner_.limits_.max_cell_bytes) + " bytes",
                 sqlstate::kProgramLimitExceeded);
        }
        capture_->append(s, static_cast<std::size_t>(len));
    }

private:
    [[noreturn]] void fail(const std::string& what, const char* state = sqlstate::kInvalidTextRepresentation) {
        // The cell reference is rebuilt here rather than kept per cell: only
        // an error needs it, and millions of cells do not.
        std::string cell = !ref_.empty() ? ref_
                           : in_cell_    ? xlsx_column_name(col_) + std::to_string(cur_.row_number)
                                         : std::string();
        Location where{owner_.name_, cur_.row_number, 0, cell};
        throw ParseError(where, what + " in sheet \"" + sheet_ + "\"", {}, state);
    }

    void start_row(const char** a) {
        if (!in_data_) return;
        if (in_row_) finish_row();  // tolerate an unclosed row (cannot happen in well-formed XML)
        if (!spare_.empty()) {
            cur_ = std::move(spare_.back());
            spare_.pop_back();
        }
        for (auto& c : cur_.cells) {
            c.type = CellType::Empty;
            c.text.clear();
            c.number = 0;
        }
        width_ = 0;
        last_col_ = -1;
        const char* r = XmlStream::attr(a, "r");
        std::uint64_t n = 0;
        if (r) {
            if (!parse_u64(r, n) || n == 0 || n > UINT32_MAX) {
                cur_.row_number = last_row_ + 1;
                fail(std::string("invalid row number \"") + std::string(r).substr(0, 32) + "\"");
            }
        } else {
            n = static_cast<std::uint64_t>(last_row_) + 1;
            if (n > UINT32_MAX) fail("too many rows");
        }
        cur_.row_number = static_cast<std::uint32_t>(n);
        last_row_ = cur_.row_number;
        in_row_ = true;
    }

    void finish_row() {
        in_row_ = false;
        cur_.cells.resize(width_);
        ready_.push_back(std::move(cur_));
        cur_ = XlsxRow{};
        // Bound the queue whatever the density of the XML (a chunk of tiny
        // rows with far-right cells would otherwise pile up).
        queued_cells_ += ready_.back().cells.capacity();
        if (queued_cells_ >= kMaxQueuedCells || ready_.size() >= kMaxQueuedRows) xml_.suspend();
    }

    void start_cell(const char** a) {
        in_cell_ = true;
        has_is_ = false;
        val_.clear();
        inline_.clear();
        rph_depth_ = 0;
        type_ = 'n';
        style_ = 0;
        std::int64_t col = last_col_ + 1;
        const char* r = nullptr;
        for (const char** p = a; p && p[0]; p += 2) {
            std::string_view name = XmlStream::local_name(p[0]);
            if (name == "r") {
                r = p[1];
            } else if (name == "t") {
                std::string_view t = p[1];
                if (t == "s") type_ = 's';
                else if (t == "str") type_ = 'f';
                else if (t == "inlineStr") type_ = 'i';
                else if (t == "b") type_ = 'b';
                else if (t == "e") type_ = 'e';
                else if (t == "n") type_ = 'n';
                else if (t == "d") type_ = 'd';
                else type_ = '?';
            } else if (name == "s") {
                std::uint64_t s;
                style_ = parse_u64(p[1], s) && s < UINT32_MAX ? static_cast<std::uint32_t>(s) : 0;
            }
        }
        if (r) {
            std::int64_t c = 0;
            const char* p = r;
            int letters = 0;
            while (letters < 4) {
                char ch = *p;
                if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
                if (ch < 'A' || ch > 'Z') break;
                c = c * 26 + (ch - 'A' + 1);
                ++p;
                ++letters;
            }
            bool digits_ok = *p != '\0';
            for (const char* q = p; *q; ++q) digits_ok = digits_ok && *q >= '0' && *q <= '9';
            if (letters == 0 || letters > 3 || !digits_ok) {
                ref_ = std::string(r).substr(0, 32);
                fail("invalid cell reference \"" + ref_ + "\"");
            }
            col = c - 1;
        }
        if (col >= static_cast<std::int64_t>(owner_.limits_.max_columns)) {
            ref_ = r ? std::string(r).substr(0, 32) : xlsx_column_name(static_cast<std::uint32_t>(col)) + std::to_string(cur_.row_number);
            fail("column beyond the limit of " + std::to_string(owner_.limits_.max_columns) + " columns",
                 sqlstate::kProgramLimitExceeded);
        }
        col_ = static_cast<std::uint32_t>(col);
        last_col_ = col;
    }

    void finish_cell() {
        in_cell_ = false;
        capture_ = nullptr;
        in_is_ = false;
        // A cell element re-sets the column; make room.
        if (col_ >= cur_.cells.size()) cur_.cells.resize(col_ + 1);
        in_cell_ = true;  // for located messages below
        XlsxCell& cell = cur_.cells[col_];
        cell.type = CellType::Empty;
        cell.number = 0;
        cell.text.clear();
        if (has_is_ && type_ != 's') type_ = 'i';
        switch (type_) {
            case 'i':
                if (has_is_) {
                    cell.type = CellType::String;
                    cell.text.swap(inline_);
                    unescape_ooxml(cell.text);
                }
                break;
            case 's': {
                if (trim(val_).empty()) break;
                std::uint64_t idx;
                std::uint64_t count = owner_.sst_offsets_.empty() ? 0 : owner_.sst_offsets_.size() - 1;
                if (!parse_u64(val_, idx)) fail("invalid shared string index \"" + val_.substr(0, 32) + "\"");
                if (idx >= count) {
                    fail("shared string index " + std::to_string(idx) + " out of range (" + std::to_string(count) +
                         " strings)");
                }
                std::uint64_t b = owner_.sst_offsets_[idx], e = owner_.sst_offsets_[idx + 1];
                cell.type = CellType::String;
                cell.text.assign(owner_.sst_text_, b, e - b);
                break;
            }
            case 'f':
                cell.type = CellType::String;
                cell.text.swap(val_);
                unescape_ooxml(cell.text);
                break;
            case 'b': {
                std::string_view v = trim(val_);
                if (v.empty()) break;
                if (v == "1" || iequals(v, "true")) {
                    cell.number = 1;
                } else if (v != "0" && !iequals(v, "false")) {
                    fail("invalid boolean \"" + val_.substr(0, 32) + "\"");
                }
                cell.type = CellType::Boolean;
                cell.text = cell.number != 0 ? "true" : "false";
                break;
            }
            case 'e':
                cell.type = CellType::Error;
                cell.text.assign(trim(val_));
                break;
            case 'd': {
                if (trim(val_).empty()) break;
                bool has_time;
                if (!parse_iso_date(val_, owner_.date1904_, cell.text, cell.number, has_time)) {
                    fail("invalid ISO date \"" + val_.substr(0, 40) + "\"");
                }
                cell.type = has_time ? CellType::DateTime : CellType::Date;
                break;
            }
            case 'n': {
                if (trim(val_).empty()) break;
                double v;
                if (!parse_double(val_, v)) fail("invalid number \"" + val_.substr(0, 40) + "\"");
                cell.number = v;
                std::uint8_t kind = style_ < owner_.xf_kind_.size() ? owner_.xf_kind_[style_] : 0;
                if (kind != 0) {
                    bool with_time = kind == 2 || v != std::floor(v);
                    if (with_time && kind == 1) {
                        // a date format on a value with a time part: keep the time unless it rounds to 0
                        double frac = v - std::floor(v);
                        long long secs = std::llround(frac * 86400.0);
                        with_time = secs != 0 && secs != 86400;
                    }
                    if (xlsx_serial_to_text(v, owner_.date1904_, with_time, cell.text)) {
                        cell.type = with_time ? CellType::DateTime : CellType::Date;
                        break;
                    }
                }
                cell.type = CellType::Number;
                if (already_shortest(val_)) cell.text.swap(val_);  // most cells: no formatting to do
                else xlsx_format_number(v, cell.text);
                break;
            }
            default:
                fail("unknown cell type");
        }
        in_cell_ = false;
        if (cell.type != CellType::Empty && col_ + 1 > width_) width_ = col_ + 1;
    }

    XlsxReader& owner_;
    std::string sheet_;
    std::unique_ptr<ZipMemberReader> reader_;
    ReadAhead ahead_;  // inflates reader_ on a helper thread; declared after it, so stopped before it closes
    XmlStream xml_;
    InterruptTicker ticker_{1024};
    bool eof_ = false;
    std::exception_ptr error_;
    std::size_t queued_cells_ = 0;

    std::deque<XlsxRow> ready_;
    std::vector<XlsxRow> spare_;
    XlsxRow cur_;
    std::uint32_t width_ = 0;
    std::uint32_t last_row_ = 0;
    std::int64_t last_col_ = -1;
    bool in_data_ = false, in_row_ = false, in_cell_ = false, in_is_ = false, has_is_ = false;
    int rph_depth_ = 0;
    char type_ = 'n';
    std::uint32_t style_ = 0;
    std::uint32_t col_ = 0;
    std::string ref_;  // set only by the errors about a cell reference itself
    std::string val_, inline_;
    std::string* capture_ = nullptr;
};

// ------------------------------------------------------------ shared strings

namespace {

class SharedStringsHandler : public XmlHandler {
public:
    SharedStringsHandler(std::string& text, std::vector<std::uint64_t>& offsets, const XlsxLimits& lim,
                         const std::string& what)
        : text_(text), offsets_(offsets), lim_(lim), what_(what) {}

    void on_start(std::string_view local, const char** /*a*/) override {
        if (local == "si") {
            in_si_ = true;
            rph_ = 0;
            start_ = text_.size();
        } else if (local == "t") {
            if (in_si_ && rph_ == 0) in_t_ = true;
        } else if (local == "rPh") {
            if (in_si_) ++rph_;
        }
    }
    void on_end(std::string_view local) override {
        if (local == "si") {
            if (!in_si_) return;
            in_si_ = false;
            in_t_ = false;
            unescape_ooxml(text_, start_);
            offsets_.push_back(text_.size());
            account(16);
        } else if (local == "t") {
            in_t_ = false;
        } else if (local == "rPh") {
            if (rph_ > 0) --rph_;
        }
    }
    void on_text(const char* s, int len) override {
        if (!in_t_) return;
        if (text_.size() - start_ + static_cast<std::size_t>(len) > lim_.max_cell_bytes) {
            throw Error(sqlstate::kProgramLimitExceeded,
                        what_ + ": shared string longer than " + std::to_string(lim_.max_cell_bytes) + " bytes");
        }
        text_.append(s, static_cast<std::size_t>(len));
        account(static_cast<std::uint64_t>(len));
    }

private:
    void account(std::uint64_t n) {
        used_ += n;
        if (used_ > lim_.max_shared_strings_bytes) {
            throw Error(sqlstate::kProgramLimitExceeded,
                        what_ + ": shared strings exceed " + std::to_string(lim_.max_shared_strings_bytes) + " bytes");
        }
    }
    std::string& text_;
    std::vector<std::uint64_t>& offsets_;
    const XlsxLimits& lim_;
    const std::string& what_;
    std::uint64_t used_ = 0;
    std::size_t start_ = 0;
    bool in_si_ = false, in_t_ = false;
    int rph_ = 0;
};

}  // namespace

// ------------------------------------------------------------ reader

XlsxReader::XlsxReader(const std::string& path, XlsxLimits limits) : name_(base_name(path)), limits_(limits) {
    try {
        zip_ = std::make_unique<ZipArchive>(path, limits_.zip);
    } catch (const Error& e) {
        if (std::strstr(e.what(), " is not a zip archive") == nullptr) throw;
        throw Error(sqlstate::kInvalidTextRepresentation, name_ + " is not an XLSX file (not a zip archive)",
                    e.what());
    }
    init();
}

XlsxReader::XlsxReader(int fd, std::string display_name, XlsxLimits limits)
    : name_(std::move(display_name)), limits_(limits) {
    try {
        zip_ = std::make_unique<ZipArchive>(fd, name_, limits_.zip);
    } catch (const Error& e) {
        if (std::strstr(e.what(), " is not a zip archive") == nullptr) throw;
        throw Error(sqlstate::kInvalidTextRepresentation, name_ + " is not an XLSX file (not a zip archive)",
                    e.what());
    }
    init();
}

XlsxReader::XlsxReader(FromMemory, std::string bytes, std::string display_name, XlsxLimits limits)
    : name_(std::move(display_name)), limits_(limits) {
    try {
        zip_ = std::make_unique<ZipArchive>(from_memory, std::move(bytes), name_, limits_.zip);
    } catch (const Error& e) {
        if (std::strstr(e.what(), " is not a zip archive") == nullptr) throw;
        throw Error(sqlstate::kInvalidTextRepresentation, name_ + " is not an XLSX file (not a zip archive)",
                    e.what());
    }
    init();
}

XlsxReader::~XlsxReader() = default;

std::string XlsxReader::part_text(const std::string& part) { return zip_->read_all(part, limits_.max_part_bytes); }

void XlsxReader::init() {
    load_workbook();
    if (!styles_part_.empty() && zip_->has(styles_part_)) load_styles(styles_part_);
}

void XlsxReader::load_workbook() {
    // Package relationships name the workbook part; fall back to the usual name.
    std::string workbook;
    if (zip_->has("_rels/.rels")) {
        RelsHandler rh;
        XmlStream x(rh, name_ + ": _rels/.rels", limits_.max_xml_depth);
        std::string text = part_text("_rels/.rels");
        x.feed(text.data(), text.size(), true);
        for (auto& r : rh.rels) {
            if (!r.external && ends_with(r.type, "/officeDocument")) {
                workbook = resolve_part("", r.target);
                break;
            }
        }
    }
    if (workbook.empty() || !zip_->has(workbook)) workbook = "xl/workbook.xml";
    if (!zip_->has(workbook)) {
        throw Error(sqlstate::kInvalidTextRepresentation,
                    name_ + " is not an XLSX file (no workbook part " + workbook + ")",
                    zip_->has("word/document.xml") ? "it looks like a Word document"
                    : zip_->has("content.xml")     ? "it looks like an OpenDocument file"
                                                   : std::string());
    }
    WorkbookHandler wh;
    {
        XmlStream x(wh, name_ + ": " + workbook, limits_.max_xml_depth);
        std::string text = part_text(workbook);
        x.feed(text.data(), text.size(), true);
    }
    if (!wh.saw_workbook) {
        throw Error(sqlstate::kInvalidTextRepresentation, name_ + ": " + workbook + " is not a workbook");
    }
    date1904_ = wh.date1904;

    std::vector<Relationship> rels;
    std::string rels_part = rels_of(workbook);
    if (zip_->has(rels_part)) {
        RelsHandler rh;
        XmlStream x(rh, name_ + ": " + rels_part, limits_.max_xml_depth);
        std::string text = part_text(rels_part);
        x.feed(text.data(), text.size(), true);
        rels = std::move(rh.rels);
    }
    std::string base = dir_of(workbook);
    for (auto& r : rels) {
        if (r.external) continue;
        if (ends_with(r.type, "/sharedStrings") && strings_part_.empty()) strings_part_ = resolve_part(base, r.target);
        if (ends_with(r.type, "/styles") && styles_part_.empty()) styles_part_ = resolve_part(base, r.target);
    }
    if (strings_part_.empty() && zip_->has(base + "sharedStrings.xml")) strings_part_ = base + "sharedStrings.xml";
    if (styles_part_.empty() && zip_->has(base + "styles.xml")) styles_part_ = base + "styles.xml";

    for (std::size_t i = 0; i < wh.sheets.size(); ++i) {
        auto& s = wh.sheets[i];
        std::string part;
        for (auto& r : rels) {
            if (r.id == s.rid && !r.external) {
                part = resolve_part(base, r.target);
                break;
            }
        }
        // No relationships part at all: the conventional name.
        if (part.empty() && rels.empty()) part = base + "worksheets/sheet" + std::to_string(i + 1) + ".xml";
        sheet_names_.push_back(s.name);
        sheet_parts_.push_back(part);
    }
}

void XlsxReader::load_styles(const std::string& part) {
    StylesHandler sh;
    XmlStream x(sh, name_ + ": " + part, limits_.max_xml_depth);
    std::string text = part_text(part);
    x.feed(text.data(), text.size(), true);
    xf_kind_.assign(sh.xf_fmt.size(), 0);
    std::unordered_map<std::uint32_t, std::uint8_t> memo;
    for (std::size_t i = 0; i < sh.xf_fmt.size(); ++i) {
        std::uint32_t id = sh.xf_fmt[i];
        auto m = memo.find(id);
        if (m != memo.end()) {
            xf_kind_[i] = m->second;
            continue;
        }
        XlsxFormatKind k;
        auto c = sh.custom.find(id);
        if (c != sh.custom.end()) {
            k = xlsx_classify_format(c->second);
        } else {
            builtin_date(id, k);
        }
        // Time-only formats stay numbers (a duration or a time of day has no date).
        std::uint8_t kind = !k.date ? 0 : k.time ? 2 : 1;
        memo.emplace(id, kind);
        xf_kind_[i] = kind;
    }
}

void XlsxReader::load_shared_strings() {
    sst_text_.clear();
    sst_offsets_.assign(1, 0);
    if (strings_part_.empty() || !zip_->has(strings_part_)) {
        strings_loaded_ = true;
        return;
    }
    std::string what = name_ + ": " + strings_part_;
    try {
        SharedStringsHandler h(sst_text_, sst_offsets_, limits_, what);
        XmlStream x(h, what, limits_.max_xml_depth);
        auto r = zip_->open_member(strings_part_);
        for (;;) {
            char* buf = x.buffer(kChunk);
            std::size_t n = r->read(buf, kChunk);
            x.parse_buffer(n, n == 0);
            if (n == 0) break;
        }
    } catch (...) {
        // never leave a partial table behind
        std::string().swap(sst_text_);
        sst_offsets_.assign(1, 0);
        throw;
    }
    sst_text_.shrink_to_fit();
    sst_offsets_.shrink_to_fit();
    strings_loaded_ = true;
}

void XlsxReader::open_sheet(std::string_view want) {
    sheet_parser_.reset();
    sheet_.clear();
    if (sheet_names_.empty()) throw Error(sqlstate::kInvalidTextRepresentation, name_ + ": the workbook has no sheet");
    std::size_t idx = sheet_names_.size();
    if (want.empty()) {
        idx = 0;
    } else {
        for (std::size_t i = 0; i < sheet_names_.size() && idx == sheet_names_.size(); ++i)
            if (sheet_names_[i] == want) idx = i;
        for (std::size_t i = 0; i < sheet_names_.size() && idx == sheet_names_.size(); ++i)
            if (iequals(sheet_names_[i], want)) idx = i;
        std::uint64_t n = 0;
        bool digits = want.find_first_not_of("0123456789") == std::string_view::npos;
        if (idx == sheet_names_.size() && digits && parse_u64(want, n) && n >= 1 && n <= sheet_names_.size())
            idx = static_cast<std::size_t>(n - 1);
    }
    if (idx == sheet_names_.size()) {
        std::string names;
        for (auto& s : sheet_names_) names += (names.empty() ? "\"" : ", \"") + s + "\"";
        throw Error(sqlstate::kInvalidParameterValue,
                    "sheet \"" + std::string(want) + "\" not found in " + name_ + " (sheets: " + names + ")", {},
                    "give a sheet name or its 1-based position");
    }
    const std::string& part = sheet_parts_[idx];
    if (part.empty() || !zip_->has(part)) {
        throw Error(sqlstate::kInvalidTextRepresentation,
                    name_ + ": sheet \"" + sheet_names_[idx] + "\" has no worksheet part" +
                        (part.empty() ? std::string() : " (" + part + " missing)"));
    }
    if (!strings_loaded_) load_shared_strings();
    sheet_parser_ = std::make_unique<SheetParser>(*this, part, sheet_names_[idx]);
    sheet_ = sheet_names_[idx];
}

bool XlsxReader::next_row(XlsxRow& out) {
    if (!sheet_parser_) {
        if (!sheet_.empty()) return false;
        open_sheet("");
    }
    return sheet_parser_->next(out);
}

}  // namespace crm
