// CSV output of the exports (crm_export, crm_monthly_report): French Excel
// conventions by default (';' between fields, decimal comma, dd/mm/yyyy),
// quoting per RFC 4180 (a field holding the delimiter, a quote, CR or LF is
// quoted, its quotes doubled), CRLF line ends, NULL as an empty field.
// Numbers are written from their exact text: a numeric never goes through
// a double.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/export_table.hpp"

namespace crm {

struct CsvWriteOptions {
    char delimiter = ';';
    char decimal = ',';      // ',' or '.'
    bool bom = false;        // UTF-8 byte order mark first
    bool header = true;      // column names as the first line
    bool iso_dates = false;  // yyyy-mm-dd instead of dd/mm/yyyy
};

// Writes to an open descriptor (the caller owns it), through a buffer.
class CsvWriter {
public:
    // Throws 22023 when the options contradict each other (decimal comma
    // with a comma delimiter). `name` names the file in errors.
    CsvWriter(int fd, std::string name, CsvWriteOptions options, std::vector<ExportColumn> columns);

    void write_row(const ExportCell* cells);  // one cell per column
    void finish();                            // writes what the buffer holds
    std::uint64_t rows() const noexcept { return rows_; }

private:
    void field(std::string_view text);
    void number(std::string_view text);
    void flush();

    int fd_;
    std::string name_;
    CsvWriteOptions options_;
    std::vector<ExportColumn> columns_;
    std::string buffer_;
    std::uint64_t rows_ = 0;
};

// "dd/mm/yyyy[ hh:mm:ss[.ffffff]]" or the ISO form; the time when `with_time`.
std::string format_date_time(const DateTimeValue& v, bool with_time, bool iso);

}  // namespace crm
