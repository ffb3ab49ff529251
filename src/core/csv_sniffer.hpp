// Guesses how a CSV export is written (encoding, dialect, French number and
// date conventions, column types) from the first bytes of the file.
// Rules: docs/files-csv.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv_reader.hpp"
#include "core/text_encoding.hpp"

namespace crm {

// Every option set here is used as is instead of being detected.
struct SniffOptions {
    std::optional<Encoding> encoding;
    std::optional<char> delimiter, quote, escape;  // quote '\0' = no quoting
    std::optional<bool> header;
    std::optional<int> skip_rows;
    std::optional<char> decimal;
    std::optional<std::string> thousands;
    std::optional<std::string> date_format;  // "DMY", "MDY", "YMD"
    size_t sample_bytes = 1 << 20;
};

struct ColumnGuess {
    std::string header;  // header text, or "column1", "column2"... without a header
    std::string type;    // "integer", "numeric", "date", "timestamp", "boolean", "text"
};

struct SniffResult {
    Encoding encoding = Encoding::Utf8;
    CsvDialect dialect;
    char decimal = ',';
    std::string thousands;    // "", " ", "\u00a0", "\u202f", ".", ",", "'" (UTF-8)
    std::string date_format;  // "DMY", "MDY", "YMD" or "" (no date seen)
    std::vector<ColumnGuess> columns;
    std::uint64_t sample_rows = 0;  // data rows examined (header excluded)
};

// `raw_sample`: the first sample_bytes of the file, raw (undecoded) bytes. When it is
// at least sample_bytes long it is taken as cut and its last partial line is ignored.
SniffResult sniff_csv(std::string_view raw_sample, const SniffOptions& = {});

// Classification helpers, exposed for tests and for the loader's messages.
namespace sniff {
enum class ValueKind { Empty, Integer, Numeric, AmbiguousNumber, Date, Timestamp, Boolean, Text };
struct NumberShape {
    bool ok = false;
    char decimal = 0;        // decimal separator proven by the value, 0 if none/ambiguous
    char ambiguous = 0;      // "1,234"/"1.234": ',' or '.' may be decimal or thousands
    std::string thousands;   // thousands separator seen ("" if none)
    bool unit = false;       // had a currency sign or '%'
    bool leading_zero = false;
    size_t int_digits = 0;
};
NumberShape number_shape(std::string_view value);
struct DateShape {
    bool ok = false;
    bool year_first = false;  // yyyy-mm-dd
    int a = 0, b = 0;         // first two numbers of d/m/y or m/d/y (or month/day when year_first)
    bool has_time = false;
};
DateShape date_shape(std::string_view value);
bool is_boolean_word(std::string_view value);
}  // namespace sniff

}  // namespace crm
