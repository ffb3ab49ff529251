// Streaming CSV reader: RFC 4180 plus what real exports do (see docs/files-csv.md).
// Input must be UTF-8 (wrap raw bytes with make_utf8_source); the reader validates it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_source.hpp"
#include "core/interrupt.hpp"

namespace crm {

struct CsvDialect {
    char delimiter = ',';
    char quote = '"';    // '\0' disables quoting
    char escape = '"';   // escape == quote (or '\0') means doubled quotes
    bool header = true;
    int skip_rows = 0;   // physical lines skipped before the header
};

struct CsvLimits {
    size_t max_field_bytes = 64u << 20;
    size_t max_columns = 16384;
    size_t max_record_bytes = 256u << 20;
    // Added: the read window (grows only for a longer record, up to max_record_bytes)
    // and the cap on CsvRecord::raw.
    size_t buffer_bytes = 1u << 20;
    size_t max_raw_bytes = 64u << 10;
};

struct CsvRecord {
    std::vector<std::string_view> fields;  // valid until the next call to next()
    std::uint64_t line = 0;                // physical line where the record starts (1-based)
    std::uint64_t record = 0;              // data record number (1-based, header excluded)
    std::string_view raw;                  // raw record text without its line end, capped
};

class CsvReader {
public:
    CsvReader(ByteSource& utf8_input, CsvDialect, std::string file_name, CsvLimits = {});
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;

    // Original header fields (empty if !dialect.header or the file is empty).
    const std::vector<std::string>& header() const { return header_; }
    // False at end of input; throws crm::ParseError with file/line/column.
    bool next(CsvRecord& out);

    const CsvDialect& dialect() const { return d_; }
    // Physical line number the reader has reached (lines consumed + 1).
    std::uint64_t current_line() const { return line_; }

private:
    enum class Step { Record, NeedMore, End };
    Step parse_one(CsvRecord& out);
    bool fill();
    void skip_lines(int n);
    bool next_impl(CsvRecord& out);
    [[noreturn]] void fail(std::uint64_t line, size_t column, const std::string& what,
                           const char* state = nullptr) const;
    [[noreturn]] void bad_utf8(const CsvRecord& rec, std::string_view raw, size_t bad) const;

    ByteSource& in_;
    CsvDialect d_;
    std::string file_;
    CsvLimits lim_;
    std::unique_ptr<char[]> buf_;
    size_t cap_ = 0;   // usable bytes (one more is allocated for the sentinel)
    size_t pos_ = 0;   // first unparsed byte
    size_t end_ = 0;   // end of valid data
    bool eof_ = false;
    std::uint64_t line_ = 1;
    std::uint64_t record_ = 0;
    std::string scratch_;
    struct Fix {
        size_t field, off, len;
    };
    std::vector<Fix> fixes_;
    std::vector<std::string> header_;
    unsigned char unq_[256] = {};  // bytes ending an unquoted field
    unsigned char qt_[256] = {};   // bytes needing attention inside quotes
    InterruptTicker ticker_{1024};
};

}  // namespace crm
