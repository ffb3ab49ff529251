// csv_to_xlsx INPUT.csv OUTPUT.xlsx
//
// Benchmark helper: converts a generated iSaVigne export (';'-delimited,
// Windows-1252, CRLF or LF, one header row, '"' quoting with "" for a quote)
// into a one-sheet XLSX workbook, so the CSV and XLSX readers can be timed
// on the same data. Standalone: links libxlsxwriter only, not crm_core.
//
// Cells of the data rows are typed like a user typing them into Excel would
// get them:
//   * plain French decimals ("12", "-3", "29,80", "1\xA0693,80" with a
//     no-break space between groups of three digits) become numbers;
//     numbers with a leading zero ("0123") or more than 15 significant
//     digits stay text, since a number would lose digits;
//   * valid dd/mm/yyyy dates (year >= 1900) become Excel dates shown with
//     the format dd/mm/yyyy;
//   * everything else is a string (an empty field is a blank cell).
// The header row is written as strings. Windows-1252 is converted to UTF-8;
// the five bytes Windows-1252 leaves undefined are an error.
//
// Strings go to the shared-strings table, as Excel itself writes them
// (libxlsxwriter's constant_memory mode would write inline strings instead,
// a layout Excel never produces and almost twice the XML). libxlsxwriter then
// keeps the sheet in memory: about 1 GB for 1M rows x 11 columns. Exit status: 0 on success, 1 on an error (the
// partial output file is removed), 2 on a usage error.

#include <xlsxwriter.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Windows-1252 0x80..0x9F; 0 marks the undefined bytes.
const unsigned short kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

struct Failure {
    std::string message;
};

// Appends the UTF-8 form of a Windows-1252 field to out.
void cp1252_to_utf8(const std::string& in, std::string& out, unsigned long long line) {
    out.clear();
    for (unsigned char c : in) {
        unsigned cp = c;
        if (c >= 0x80 && c < 0xA0) {
            cp = kCp1252High[c - 0x80];
            if (cp == 0) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02X", c);
                throw Failure{"line " + std::to_string(line) + ": byte " + hex +
                              " is not defined in Windows-1252"};
            }
        }
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "12", "-3", "29,80", "1\xA0693,80" (raw Windows-1252 bytes) -> value.
bool parse_french_number(const std::string& s, double& value) {
    size_t i = 0, n = s.size();
    std::string plain;  // C-locale spelling for strtod
    if (i < n && s[i] == '-') {
        plain += '-';
        ++i;
    }
    size_t int_start = plain.size();
    size_t group = 0;        // digits in the current group
    bool grouped = false;    // a separator was seen
    int significant = 0;
    while (i < n) {
        char c = s[i];
        if (is_digit(c)) {
            plain += c;
            ++group;
            ++i;
        } else if (static_cast<unsigned char>(c) == 0xA0) {
            // First group: 1-3 digits; later groups: exactly 3.
            if (group == 0 || group > 3 || (grouped && group != 3)) return false;
            grouped = true;
            group = 0;
            ++i;
        } else {
            break;
        }
    }
    size_t int_digits = plain.size() - int_start;
    if (int_digits == 0) return false;
    if (grouped && group != 3) return false;
    if (int_digits > 1 && plain[int_start] == '0') return false;  // "0123": a code, not a number
    for (size_t k = int_start; k < plain.size(); ++k)
        if (significant > 0 || plain[k] != '0') ++significant;
    if (i < n && s[i] == ',') {
        ++i;
        plain += '.';
        size_t frac_start = i;
        while (i < n && is_digit(s[i])) {
            if (significant > 0 || s[i] != '0') ++significant;
            plain += s[i++];
        }
        if (i == frac_start) return false;
    }
    if (i != n || significant > 15) return false;
    value = std::strtod(plain.c_str(), nullptr);
    return true;
}

bool parse_dmy_date(const std::string& s, lxw_datetime& date) {
    if (s.size() != 10 || s[2] != '/' || s[5] != '/') return false;
    for (size_t k : {0, 1, 3, 4, 6, 7, 8, 9})
        if (!is_digit(s[k])) return false;
    int day = (s[0] - '0') * 10 + (s[1] - '0');
    int month = (s[3] - '0') * 10 + (s[4] - '0');
    int year = std::atoi(s.c_str() + 6);
    if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
    static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
    if (day > max_day) return false;
    date = lxw_datetime{year, month, day, 0, 0, 0.0};
    return true;
}

// Reads ';'-separated records with '"' quoting; a quoted field may contain
// ';', '""' and line breaks. CRLF and LF both end a record.
class CsvInput {
public:
    explicit CsvInput(const char* path) : path_(path) {
        file_ = std::fopen(path, "rb");
        if (!file_) throw Failure{std::string("cannot open ") + path + ": " + std::strerror(errno)};
        buffer_.resize(1 << 20);
    }
    ~CsvInput() {
        if (file_) std::fclose(file_);
    }

    // Physical line on which the last record returned started.
    unsigned long long record_line() const { return record_line_; }

    bool next(std::vector<std::string>& fields) {
        fields.clear();
        int c = get();
        if (c == EOF) return false;
        record_line_ = line_;
        std::string field;
        for (;;) {
            if (c == '"' && field.empty()) {
                // Quoted field: runs to the closing quote.
                for (;;) {
                    c = get();
                    if (c == EOF)
                        throw Failure{"line " + std::to_string(record_line_) + ": unterminated quoted field"};
                    if (c == '"') {
                        c = get();
                        if (c == '"') {
                            field += '"';
                            continue;
                        }
                        break;  // c is the character after the closing quote
                    }
                    if (c == '\n') ++line_;
                    field += static_cast<char>(c);
                }
                if (c != ';' && c != '\n' && c != '\r' && c != EOF)
                    throw Failure{"line " + std::to_string(line_) + ": unexpected character after a closing quote"};
            } else {
                while (c != ';' && c != '\n' && c != EOF) {
                    if (c == '\r') {
                        int d = get();
                        if (d == '\n' || d == EOF) {
                            c = d;
                            break;
                        }
                        field += '\r';
                        c = d;
                        continue;
                    }
                    field += static_cast<char>(c);
                    c = get();
                }
            }
            if (c == '\r') c = get();  // CR before LF after a quoted field
            fields.push_back(std::move(field));
            field.clear();
            if (c == ';') {
                c = get();
                continue;
            }
            if (c == '\n') ++line_;
            if (c != '\n' && c != EOF)
                throw Failure{"line " + std::to_string(line_) + ": stray carriage return"};
            return true;
        }
    }

private:
    int get() {
        if (pos_ == end_) {
            end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_);
            pos_ = 0;
            if (end_ == 0) {
                if (std::ferror(file_))
                    throw Failure{std::string("cannot read ") + path_ + ": " + std::strerror(errno)};
                return EOF;
            }
        }
        return static_cast<unsigned char>(buffer_[pos_++]);
    }

    const char* path_;
    std::FILE* file_ = nullptr;
    std::vector<char> buffer_;
    size_t pos_ = 0, end_ = 0;
    unsigned long long line_ = 1, record_line_ = 1;
};

void check(lxw_error error, unsigned long long line, const char* what) {
    if (error != LXW_NO_ERROR)
        throw Failure{"line " + std::to_string(line) + ": " + what + ": " + lxw_strerror(error)};
}

void convert(const char* input, const char* output) {
    CsvInput csv(input);

    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    options.tmpdir = nullptr;
    options.use_zip64 = LXW_FALSE;  // 1M rows stay far below 4 GB; ZIP64 would only hurt compatibility
    lxw_workbook* workbook = workbook_new_opt(output, &options);
    if (!workbook) throw Failure{std::string("cannot create ") + output};
    try {
        lxw_worksheet* sheet = workbook_add_worksheet(workbook, "ventes");
        lxw_format* date_format = workbook_add_format(workbook);
        if (!sheet || !date_format) throw Failure{"cannot create the worksheet"};
        format_set_num_format(date_format, "dd/mm/yyyy");

        std::vector<std::string> fields;
        std::string utf8;
        lxw_row_t row = 0;
        while (csv.next(fields)) {
            unsigned long long line = csv.record_line();
            if (row >= LXW_ROW_MAX)
                throw Failure{"line " + std::to_string(line) + ": more rows than an Excel sheet holds (1048576)"};
            if (fields.size() > LXW_COL_MAX)
                throw Failure{"line " + std::to_string(line) + ": more columns than an Excel sheet holds (16384)"};
            for (size_t col = 0; col < fields.size(); ++col) {
                const std::string& f = fields[col];
                if (f.empty()) continue;
                lxw_col_t c = static_cast<lxw_col_t>(col);
                double number;
                lxw_datetime date;
                if (row > 0 && parse_french_number(f, number)) {
                    check(worksheet_write_number(sheet, row, c, number, nullptr), line, "writing a number");
                } else if (row > 0 && parse_dmy_date(f, date)) {
                    check(worksheet_write_datetime(sheet, row, c, &date, date_format), line, "writing a date");
                } else {
                    cp1252_to_utf8(f, utf8, line);
                    check(worksheet_write_string(sheet, row, c, utf8.c_str(), nullptr), line, "writing a string");
                }
            }
            ++row;
        }
        if (row == 0) throw Failure{std::string(input) + " is empty"};
    } catch (...) {
        workbook_close(workbook);
        std::remove(output);
        throw;
    }
    lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR) {
        std::remove(output);
        throw Failure{std::string("cannot write ") + output + ": " + lxw_strerror(error)};
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s INPUT.csv OUTPUT.xlsx\n", argc > 0 ? argv[0] : "csv_to_xlsx");
        return 2;
    }
    try {
        convert(argv[1], argv[2]);
    } catch (const Failure& failure) {
        std::fprintf(stderr, "csv_to_xlsx: %s: %s\n", argv[1], failure.message.c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "csv_to_xlsx: %s\n", e.what());
        return 1;
    }
    return 0;
}
