// Streaming reader of XLSX workbooks (Office Open XML spreadsheets).
//
// The workbook structure (workbook, relationships, styles, shared strings) is
// read up front; a sheet is parsed incrementally with expat from 64 KiB zip
// chunks, so next_row() runs in bounded memory whatever the sheet's size
// (shared strings aside, which are capped). See docs/files-xlsx.md.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/zip_archive.hpp"

namespace crm {

struct XlsxLimits {
    ZipLimits zip;
    std::uint64_t max_shared_strings_bytes = 256ull << 20;  // text + 16 bytes bookkeeping per string
    int max_xml_depth = 64;
    std::uint32_t max_columns = 16384;                       // XFD, Excel's own limit
    std::uint64_t max_cell_bytes = 1ull << 20;               // one cell's text (Excel: 32767 chars)
    std::uint64_t max_part_bytes = 64ull << 20;              // workbook, rels, styles parts
};

enum class CellType { Empty, String, Number, Boolean, Error, Date, DateTime };

struct XlsxCell {
    CellType type = CellType::Empty;
    std::string text;   // rendering, see docs/files-xlsx.md
    double number = 0;  // Number; Boolean (0/1); Date/DateTime: the serial in the workbook's date system
};

struct XlsxRow {
    std::uint32_t row_number = 0;  // from the r attribute (1-based), or previous + 1
    std::vector<XlsxCell> cells;   // index = column (A=0), gaps Empty, trailing Empty trimmed
};

// Column index (0-based) to letters: 0 -> "A", 27 -> "AB".
std::string xlsx_column_name(std::uint32_t col);
// Excel serial to "yyyy-mm-dd" / "yyyy-mm-dd hh:mm:ss" (false when out of range).
bool xlsx_serial_to_text(double serial, bool date1904, bool with_time, std::string& out);
// Shortest round-trip decimal, plain notation for 1e-7 <= |x| < 1e21.
void xlsx_format_number(double v, std::string& out);
// Whether a number format code shows a date (d, m, y) and/or a time (h, s).
struct XlsxFormatKind {
    bool date = false;
    bool time = false;
};
XlsxFormatKind xlsx_classify_format(std::string_view code);

class XlsxReader {
public:
    explicit XlsxReader(const std::string& path, XlsxLimits limits = {});
    // fd is duplicated (see ZipArchive): the caller keeps and closes it.
    XlsxReader(int fd, std::string display_name, XlsxLimits limits = {});
    XlsxReader(FromMemory, std::string bytes, std::string display_name, XlsxLimits limits = {});
    ~XlsxReader();
    XlsxReader(const XlsxReader&) = delete;
    XlsxReader& operator=(const XlsxReader&) = delete;

    const std::vector<std::string>& sheet_names() const { return sheet_names_; }
    bool date1904() const { return date1904_; }
    const std::string& display_name() const { return name_; }

    // Sheet name (exact, then case-insensitive), or 1-based index as text;
    // "" = first sheet. Unknown -> crm::Error 22023 listing the names.
    void open_sheet(std::string_view name_or_index);
    // Name of the open sheet ("" before open_sheet).
    const std::string& current_sheet() const { return sheet_; }
    // Next row as it appears in the sheet (row_number tells the gaps); false
    // at the end. Opens the first sheet when none is open.
    bool next_row(XlsxRow& out);

    class SheetParser;  // implementation detail

private:
    void init();
    void load_workbook();
    void load_styles(const std::string& part);
    void load_shared_strings();
    std::string part_text(const std::string& part);

    std::string name_;
    XlsxLimits limits_;
    std::unique_ptr<ZipArchive> zip_;
    std::vector<std::string> sheet_names_;
    std::vector<std::string> sheet_parts_;  // "" when the relationship is missing
    bool date1904_ = false;
    std::string styles_part_;
    std::string strings_part_;
    bool strings_loaded_ = false;

    // shared strings: one buffer + offsets
    std::string sst_text_;
    std::vector<std::uint64_t> sst_offsets_;  // size = count + 1

    // per cellXfs index: 0 none, 1 date, 2 datetime
    std::vector<std::uint8_t> xf_kind_;

    std::string sheet_;
    std::unique_ptr<SheetParser> sheet_parser_;

    friend class SheetParser;
};

}  // namespace crm
