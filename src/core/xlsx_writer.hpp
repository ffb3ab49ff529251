// XLSX output of the exports, over libxlsxwriter (RAII owner of its
// lxw_workbook). Cells are typed: numbers as numbers (numeric(p, 2) shown
// "#,##0.00", which French Excel displays "# ##0,00"), dates and
// timestamps as Excel dates (dd/mm/yyyy), booleans, text. Each sheet gets a
// bold, filled header row that stays frozen, an autofilter, and column
// widths from its content (capped). Rows go to disk as they come
// (libxlsxwriter's constant_memory mode), so memory does not grow with
// the row count.
//
// Excel's limits are errors (54000), never silent truncation: 1 048 576
// rows a sheet (the header included), 32 767 characters a cell.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/export_table.hpp"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace crm {

inline constexpr std::uint32_t kXlsxMaxRows = 1048576;
inline constexpr std::size_t kXlsxMaxCellChars = 32767;
inline constexpr double kXlsxMaxColumnWidth = 60;

struct XlsxChart {
    std::string title;
    std::uint32_t category_column = 0;  // labels
    std::uint32_t value_column = 1;     // bar lengths
    std::uint32_t rows = 10;            // the first `rows` data rows
    bool horizontal = true;             // bar (true) or column chart
};

class XlsxWriter {
public:
    // `filename` is handed to libxlsxwriter, which writes it at close().
    // `name` names the file in errors.
    XlsxWriter(const std::string& filename, std::string name);
    ~XlsxWriter();
    XlsxWriter(const XlsxWriter&) = delete;
    XlsxWriter& operator=(const XlsxWriter&) = delete;

    // Starts a sheet (the previous one is finished) and writes its header.
    // Throws 22023 on a name Excel refuses (over 31 characters, []:*?/\, a
    // duplicate).
    void add_sheet(std::string_view sheet_name, std::vector<ExportColumn> columns);
    void write_row(const ExportCell* cells);  // one cell per column
    // A bold last row: `label` in the first column, and the sum of each of
    // `columns` (a SUM formula with its value cached); 22023 for a column
    // that is not a number.
    void write_total_row(std::string_view label, const std::vector<std::uint32_t>& columns);
    // A native bar/column chart of the current sheet's first rows, placed
    // to the right of its columns.
    void add_chart(const XlsxChart& chart);
    std::uint64_t rows() const noexcept { return sheet_rows_; }  // data rows of the current sheet

    // Finishes the last sheet and writes the file.
    void close();

private:
    void finish_sheet();
    void autofilter();
    lxw_format* number_format(const ExportColumn& column);
    [[noreturn]] void fail(int lxw_error, std::string_view what);
    void note_width(std::size_t column, std::size_t chars);

    std::string name_;
    lxw_workbook* workbook_ = nullptr;
    lxw_worksheet* sheet_ = nullptr;
    std::string sheet_name_;
    std::vector<ExportColumn> columns_;
    std::vector<lxw_format*> formats_;  // per column
    std::vector<double> widths_;        // characters, per column
    std::vector<double> sums_;          // per numeric column
    std::vector<double> sum_scale_;     // 10^scale for rounding a cached sum, 0 when not numeric
    std::uint32_t row_ = 0;             // next row index (0 = header)
    std::uint64_t sheet_rows_ = 0;
    bool has_total_ = false;
    lxw_format* header_ = nullptr;
    lxw_format* total_ = nullptr;
    lxw_format* date_ = nullptr;
    lxw_format* timestamp_ = nullptr;
};

}  // namespace crm
