#include "core/xlsx_writer.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/csv_writer.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

// UTF-8 characters (code points) of a text: what Excel's limit counts.
std::size_t utf8_chars(std::string_view s) {
    std::size_t n = 0;
    for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    return n;
}

// Excel keeps 15 significant digits: a number with more is written as text
// so that no digit is lost (an int8 id, a numeric(30, 10)).
bool fits_a_double(std::string_view text) {
    std::size_t digits = 0;
    bool leading = true;
    for (char ch : text) {
        if (ch == 'e' || ch == 'E') break;
        if (ch < '0' || ch > '9') continue;
        if (leading && ch == '0') continue;
        leading = false;
        ++digits;
    }
    return digits <= 15;
}

bool is_finite_number(std::string_view text) {
    return !text.empty() && (text[0] == '-' || (text[0] >= '0' && text[0] <= '9')) && text.find("Inf") == text.npos;
}

bool summable(ColumnKind kind) {
    return kind == ColumnKind::Integer || kind == ColumnKind::Float || kind == ColumnKind::Numeric;
}

}  // namespace

XlsxWriter::XlsxWriter(const std::string& filename, std::string name) : name_(std::move(name)) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    // No ZIP64 (libxlsxwriter's default, an ordinary workbook): a sheet whose
    // XML would pass 4 GiB (a million rows of 4 000 characters) fails at
    // close(), with libxlsxwriter's error.
    workbook_ = workbook_new_opt(filename.c_str(), &options);
    if (workbook_ == nullptr)
        throw Error(sqlstate::kIoError, "could not start the workbook \"" + excerpt(name_, 300) + "\"");
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_pattern(header_, LXW_PATTERN_SOLID);
    format_set_bg_color(header_, 0xD9E1F2);
    format_set_bottom(header_, LXW_BORDER_THIN);
    date_ = workbook_add_format(workbook_);
    format_set_num_format(date_, "dd/mm/yyyy");
    timestamp_ = workbook_add_format(workbook_);
    format_set_num_format(timestamp_, "dd/mm/yyyy hh:mm:ss");
}

XlsxWriter::~XlsxWriter() {
    if (workbook_ != nullptr) lxw_workbook_free(workbook_);
}

void XlsxWriter::fail(int lxw_error_code, std::string_view what) {
    throw Error(sqlstate::kIoError, "could not write \"" + excerpt(name_, 300) + "\" (" + std::string(what) +
                                        "): " + lxw_strerror(static_cast<lxw_error>(lxw_error_code)));
}

lxw_format* XlsxWriter::number_format(const ExportColumn& column) {
    if (column.kind == ColumnKind::Date) return date_;
    if (column.kind == ColumnKind::Timestamp) return timestamp_;
    if (column.kind != ColumnKind::Numeric || column.scale < 0) return nullptr;
    // Stored in Excel's locale-neutral form: French Excel shows "# ##0,00".
    std::string code = "#,##0";
    if (column.scale > 0) code += "." + std::string(static_cast<std::size_t>(std::min(column.scale, 30)), '0');
    lxw_format* format = workbook_add_format(workbook_);
    format_set_num_format(format, code.c_str());
    return format;
}

void XlsxWriter::note_width(std::size_t column, std::size_t chars) {
    widths_[column] = std::max(widths_[column], std::min(static_cast<double>(chars), kXlsxMaxColumnWidth));
}

void XlsxWriter::add_sheet(std::string_view sheet_name, std::vector<ExportColumn> columns) {
    if (sheet_ != nullptr) finish_sheet();
    std::string name(sheet_name);
    lxw_error err = workbook_validate_sheet_name(workbook_, name.c_str());
    if (err != LXW_NO_ERROR)
        throw Error(sqlstate::kInvalidParameterValue,
                    "invalid sheet name \"" + excerpt(name, 100) + "\": " + lxw_strerror(err), "",
                    "At most 31 characters, none of [ ] : * ? / \\, and unique in the workbook.");
    if (columns.size() > 16384)
        throw Error(sqlstate::kProgramLimitExceeded, "an Excel sheet holds 16 384 columns, not " +
                                                         std::to_string(columns.size()));
    sheet_ = workbook_add_worksheet(workbook_, name.c_str());
    if (sheet_ == nullptr) fail(LXW_ERROR_MEMORY_MALLOC_FAILED, "add sheet");
    sheet_name_ = name;
    columns_ = std::move(columns);
    formats_.clear();
    widths_.assign(columns_.size(), 0);
    sums_.assign(columns_.size(), 0);
    sum_scale_.assign(columns_.size(), 0);
    row_ = 0;
    sheet_rows_ = 0;
    has_total_ = false;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        formats_.push_back(number_format(columns_[c]));
        if (columns_[c].kind == ColumnKind::Numeric && columns_[c].scale >= 0)
            sum_scale_[c] = std::pow(10.0, std::min(columns_[c].scale, 15));
        // The header's width, plus room for the autofilter's button.
        note_width(c, utf8_chars(columns_[c].name) + 3);
        std::string text = columns_[c].name;
        err = worksheet_write_string(sheet_, 0, static_cast<lxw_col_t>(c), text.c_str(), header_);
        if (err != LXW_NO_ERROR) fail(err, "header");
    }
    worksheet_freeze_panes(sheet_, 1, 0);
    row_ = 1;
}

void XlsxWriter::write_row(const ExportCell* cells) {
    if (row_ >= kXlsxMaxRows)
        throw Error(sqlstate::kProgramLimitExceeded,
                    "sheet \"" + sheet_name_ + "\" of \"" + excerpt(name_, 300) +
                        "\" gets more than 1 048 575 rows: an Excel sheet holds 1 048 576 rows, the header included",
                    "", "Export to CSV ({\"format\": \"csv\"}), or split the query.");
    std::string text;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        const ExportCell& cell = cells[c];
        if (cell.null) continue;
        auto col = static_cast<lxw_col_t>(c);
        lxw_error err = LXW_NO_ERROR;
        const ExportColumn& column = columns_[c];
        switch (column.kind) {
            case ColumnKind::Integer:
            case ColumnKind::Float:
            case ColumnKind::Numeric:
                text.assign(cell.text);
                if (is_finite_number(text) && (column.kind == ColumnKind::Float || fits_a_double(text))) {
                    double v = std::strtod(text.c_str(), nullptr);
                    err = worksheet_write_number(sheet_, row_, col, v, formats_[c]);
                    sums_[c] += v;
                    // Digits, thousands separators, sign.
                    note_width(c, text.size() + text.size() / 3 + 1);
                } else {
                    err = worksheet_write_string(sheet_, row_, col, text.c_str(), nullptr);
                    note_width(c, text.size());
                }
                break;
            case ColumnKind::Date:
            case ColumnKind::Timestamp: {
                bool with_time = column.kind == ColumnKind::Timestamp;
                // Excel's calendar starts in 1900 and ends in 9999.
                if (cell.as_text || cell.when.year < 1900 || cell.when.year > 9999) {
                    text = cell.as_text ? std::string(cell.text) : format_date_time(cell.when, with_time, false);
                    err = worksheet_write_string(sheet_, row_, col, text.c_str(), nullptr);
                } else {
                    lxw_datetime when{cell.when.year, cell.when.month, cell.when.day, cell.when.hour, cell.when.minute,
                                      cell.when.second + cell.when.microsecond / 1e6};
                    err = worksheet_write_datetime(sheet_, row_, col, &when, formats_[c]);
                }
                note_width(c, with_time ? 19 : 10);
                break;
            }
            case ColumnKind::Boolean:
                err = worksheet_write_boolean(sheet_, row_, col, cell.flag, nullptr);
                note_width(c, 5);
                break;
            case ColumnKind::Text: {
                std::size_t chars = utf8_chars(cell.text);
                if (chars > kXlsxMaxCellChars)
                    throw Error(sqlstate::kProgramLimitExceeded,
                                "sheet \"" + sheet_name_ + "\" row " + std::to_string(row_ + 1) + ", column \"" +
                                    column.name + "\": " + std::to_string(chars) +
                                    " characters, over Excel's 32 767 per cell",
                                "", "Shorten the value in the query (left(col, 32767)), or export to CSV.");
                text.assign(cell.text);
                err = worksheet_write_string(sheet_, row_, col, text.c_str(), nullptr);
                note_width(c, chars);
                break;
            }
        }
        if (err != LXW_NO_ERROR) fail(err, "row " + std::to_string(row_ + 1));
    }
    ++row_;
    ++sheet_rows_;
    if ((sheet_rows_ & 4095) == 0) check_interrupts();
}

void XlsxWriter::write_total_row(std::string_view label, const std::vector<std::uint32_t>& columns) {
    if (row_ >= kXlsxMaxRows)
        throw Error(sqlstate::kProgramLimitExceeded, "sheet \"" + sheet_name_ + "\" has no room left for its total row");
    for (std::uint32_t c : columns)
        if (c >= columns_.size() || !summable(columns_[c].kind))
            throw Error(sqlstate::kInvalidParameterValue,
                        "sheet \"" + sheet_name_ + "\": a total sums number columns only" +
                            (c < columns_.size() ? ", not \"" + columns_[c].name + "\"" : std::string()));
    autofilter();
    if (total_ == nullptr) {
        total_ = workbook_add_format(workbook_);
        format_set_bold(total_);
    }
    std::string text(label);
    lxw_error err = worksheet_write_string(sheet_, row_, 0, text.c_str(), total_);
    for (std::uint32_t c : columns) {
        if (err != LXW_NO_ERROR) break;
        lxw_format* format = workbook_add_format(workbook_);
        format_set_bold(format);
        if (formats_[c] != nullptr) format_set_num_format(format, formats_[c]->num_format);
        std::string letters;
        for (auto n = static_cast<unsigned>(c) + 1; n > 0; n = (n - 1) / 26)
            letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
        std::string formula = "=SUM(" + letters + "2:" + letters + std::to_string(row_) + ")";
        double sum = sums_[c];
        if (sum_scale_[c] > 0) sum = std::round(sum * sum_scale_[c]) / sum_scale_[c];
        err = worksheet_write_formula_num(sheet_, row_, static_cast<lxw_col_t>(c), formula.c_str(), format, sum);
    }
    if (err != LXW_NO_ERROR) fail(err, "total row");
    has_total_ = true;
    ++row_;
}

void XlsxWriter::add_chart(const XlsxChart& spec) {
    std::uint64_t rows = std::min<std::uint64_t>(spec.rows, sheet_rows_);
    if (rows == 0 || spec.category_column >= columns_.size() || spec.value_column >= columns_.size()) return;
    lxw_chart* chart = workbook_add_chart(workbook_, spec.horizontal ? LXW_CHART_BAR : LXW_CHART_COLUMN);
    if (chart == nullptr) fail(LXW_ERROR_MEMORY_MALLOC_FAILED, "chart");
    lxw_chart_series* series = chart_add_series(chart, nullptr, nullptr);
    auto last = static_cast<lxw_row_t>(rows);
    chart_series_set_categories(series, sheet_name_.c_str(), 1, static_cast<lxw_col_t>(spec.category_column), last,
                                static_cast<lxw_col_t>(spec.category_column));
    chart_series_set_values(series, sheet_name_.c_str(), 1, static_cast<lxw_col_t>(spec.value_column), last,
                            static_cast<lxw_col_t>(spec.value_column));
    chart_title_set_name(chart, spec.title.c_str());
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    // libxlsxwriter names a bar chart's axes as drawn: y is the categories.
    lxw_chart_axis* categories = spec.horizontal ? chart->y_axis : chart->x_axis;
    lxw_chart_axis* values = spec.horizontal ? chart->x_axis : chart->y_axis;
    // The first row (the largest) at the top of a bar chart, the values'
    // scale still below the bars.
    if (spec.horizontal) {
        chart_axis_set_reverse(categories);
        chart_axis_set_crossing_max(categories);
    }
    chart_axis_set_num_format(values, "#,##0");
    lxw_chart_options options{};
    options.x_offset = 10;
    options.y_offset = 10;
    options.x_scale = 2.5;
    options.y_scale = 2;
    lxw_error err = worksheet_insert_chart_opt(sheet_, 1, static_cast<lxw_col_t>(columns_.size() + 1), chart, &options);
    if (err != LXW_NO_ERROR) fail(err, "chart");
    // Printed (or rendered to PDF) landscape, one page wide: the table's
    // first rows and the chart beside them on the first page.
    worksheet_set_landscape(sheet_);
    worksheet_fit_to_pages(sheet_, 1, 0);
}

// Over the header and the data rows. In constant_memory mode libxlsxwriter
// refuses a range ending above the row being written: set it before a total.
void XlsxWriter::autofilter() {
    if (columns_.empty()) return;
    lxw_error err = worksheet_autofilter(sheet_, 0, 0, row_ - 1, static_cast<lxw_col_t>(columns_.size() - 1));
    if (err != LXW_NO_ERROR) fail(err, "autofilter");
}

void XlsxWriter::finish_sheet() {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        lxw_error err = worksheet_set_column(sheet_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                                             widths_[c] + 1, nullptr);
        if (err != LXW_NO_ERROR) fail(err, "column width");
    }
    if (!has_total_) autofilter();
    sheet_ = nullptr;
}

void XlsxWriter::close() {
    if (sheet_ != nullptr) finish_sheet();
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;  // workbook_close frees it, whatever it returns
    lxw_error err = workbook_close(workbook);
    if (err != LXW_NO_ERROR) fail(err, "close");
}

}  // namespace crm
