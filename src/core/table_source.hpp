// A file seen as a table: a header and rows of text fields, whether it is a
// CSV (any dialect, any encoding) or an XLSX sheet. The readers and the
// loader above it map fields to columns and convert them; they do not care
// which format the rows came from.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_policy.hpp"
#include "core/read_options.hpp"

namespace crm {

// What a field's text is: XLSX cells and JSON values carry a type, CSV
// fields are all text. Null is a value the source itself says is absent
// (JSON null, Odoo's false in a non-boolean field).
enum class FieldKind : unsigned char { Text, Number, Date, DateTime, Boolean, Null };

struct SourceRow {
    std::vector<std::string_view> fields;  // valid until the next call to next()
    std::vector<FieldKind> kinds;          // same size as fields, or empty for all-text rows
    std::uint64_t line = 0;                // physical line (CSV) or sheet row number (XLSX)
    std::uint64_t record = 0;              // data record number, 1-based
};

// How text values are written in this file (detected or given).
struct Conventions {
    char decimal = ',';
    std::string thousands;
    std::string date_format;  // "DMY", "MDY", "YMD" or "" (any)
    // Timestamps carry their own zone ("2024-05-01T10:00:00Z", APIs): a
    // timestamptz column takes them through PostgreSQL's own parser rather
    // than as local time.
    bool zoned_timestamps = false;
};

class TableSource {
public:
    virtual ~TableSource() = default;
    virtual const std::vector<std::string>& header() const = 0;  // empty when the file has no header
    virtual bool next(SourceRow& row) = 0;
    // The row as a line of text, for quarantine records.
    virtual std::string raw_text(const SourceRow& row) const = 0;
    // crm_sniff's description of the file (JSON object); may read rows.
    virtual std::string describe_json() = 0;
    // Fields a wrapper appends to every row and header, which the file does
    // not have (messages about the file's width leave them out).
    virtual std::size_t added_fields() const { return 0; }

    const Conventions& conventions() const { return conventions_; }
    const std::string& file_name() const { return file_name_; }

protected:
    Conventions conventions_;
    std::string file_name_;
};

FileFormat detect_format(const OpenFile& file);

// Output names for headers: normalised (crm_normalize_column_name), col_N
// for an empty one, and a _2, _3 suffix for duplicates.
std::vector<std::string> column_names(const std::vector<std::string>& headers);

// The column a header name given by the user designates (the option
// columns): written as in the file, or equal after crm_normalize_column_name;
// the first of duplicates. `names` is column_names(headers). -1 if none.
int find_header(const std::vector<std::string>& headers, const std::vector<std::string>& names, std::string_view wanted);

// Opens `file` (already checked by the file policy) as a table. Takes the
// file over: it is closed with the source.
std::unique_ptr<TableSource> open_table_source(OpenFile file, const ReadOptions& options,
                                               std::uint64_t max_field_bytes);

}  // namespace crm
