// The options of crm_export, parsed from its jsonb argument. An unknown key
// is an error (a typo must not be silently ignored).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv_writer.hpp"

namespace crm {

enum class ExportFormat { Csv, Xlsx };

struct ExportOptions {
    std::optional<ExportFormat> format;  // else from the file's extension
    CsvWriteOptions csv;
    std::string sheet = "Export";  // XLSX sheet name
    bool overwrite = false;        // replace an existing file
};

ExportOptions parse_export_options(std::string_view json);

// One sheet of a workbook written by crm._export_file (crm_monthly_report):
// [{"name": "CA", "query": "SELECT ...", "total": {"label": "Total", "sum": ["ca"]},
//   "chart": {"title": "...", "category": "produit", "value": "ca", "rows": 10, "type": "bar"}}].
// A CSV file takes exactly one (its name is ignored).
struct SheetSpec {
    std::string name;
    std::string query;
    std::string total;                      // label of a total row; "" for none
    std::vector<std::string> total_columns;  // the columns it sums
    bool chart = false;
    std::string chart_title, chart_category, chart_value;  // column names
    std::uint32_t chart_rows = 10;
    bool chart_horizontal = true;  // "bar"; "column" is vertical
};

std::vector<SheetSpec> parse_sheet_specs(std::string_view json);

// The format: options.format, else the extension (.csv, .xlsx, any case);
// 22023 when neither says.
ExportFormat export_format(const ExportOptions& options, const std::string& path);

}  // namespace crm
