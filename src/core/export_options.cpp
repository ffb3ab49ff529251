#include "core/export_options.hpp"

#include <simdjson.h>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/json_options.hpp"
#include "core/core_only.hpp"

namespace crm {

ExportOptions parse_export_options(std::string_view json) {
    ExportOptions out;
    const JsonOptions options(json, "export",
                              "Options: format (csv, xlsx), delimiter, decimal, bom, header, date_format (dd/mm/yyyy, "
                              "iso), sheet, overwrite.");
    for (auto field : options.fields()) {
        std::string_view key = field.key;
        simdjson::dom::element value = field.value;
        if (key == "format") {
            std::string_view f = options.text(value, key);
            if (f == "csv") out.format = ExportFormat::Csv;
            else if (f == "xlsx") out.format = ExportFormat::Xlsx;
            else options.fail("\"format\" must be csv or xlsx, not \"" + excerpt(f, 50) + "\"");
        } else if (key == "delimiter") {
            out.csv.delimiter = options.character(value, key);
        } else if (key == "decimal") {
            out.csv.decimal = options.character(value, key);
            if (out.csv.decimal != ',' && out.csv.decimal != '.') options.fail("\"decimal\" must be \",\" or \".\"");
        } else if (key == "bom") {
            out.csv.bom = options.flag(value, key);
        } else if (key == "header") {
            out.csv.header = options.flag(value, key);
        } else if (key == "date_format") {
            std::string_view f = options.text(value, key);
            if (f == "iso") out.csv.iso_dates = true;
            else if (f == "dd/mm/yyyy") out.csv.iso_dates = false;
            else options.fail("\"date_format\" must be dd/mm/yyyy or iso, not \"" + excerpt(f, 50) + "\"");
        } else if (key == "sheet") {
            out.sheet = std::string(options.text(value, key));
        } else if (key == "overwrite") {
            out.overwrite = options.flag(value, key);
        } else {
            options.fail("unknown option \"" + excerpt(key, 50) + "\"");
        }
    }
    return out;
}

ExportFormat export_format(const ExportOptions& options, const std::string& path) {
    if (options.format) return *options.format;
    std::string lower = to_lower_ascii(path);
    auto ends_with = [&](std::string_view ext) {
        return lower.size() >= ext.size() && lower.compare(lower.size() - ext.size(), ext.size(), ext) == 0;
    };
    if (ends_with(".csv")) return ExportFormat::Csv;
    if (ends_with(".xlsx")) return ExportFormat::Xlsx;
    throw Error(sqlstate::kInvalidParameterValue,
                "cannot tell the export format of \"" + excerpt(path, 300) + "\": name it .csv or .xlsx, or pass "
                "{\"format\": \"csv\"} or {\"format\": \"xlsx\"}");
}

std::vector<SheetSpec> parse_sheet_specs(std::string_view json) {
    auto bad = [](const std::string& what) {
        throw Error(sqlstate::kInvalidParameterValue, "invalid sheet list: " + what, "",
                    "[{\"name\", \"query\", \"total\": {\"label\", \"sum\"}, \"chart\": {\"title\", \"category\", \"value\", \"rows\", "
                    "\"type\"}}]");
    };
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::element root;
    simdjson::dom::array sheets;
    if (parser.parse(padded).get(root) || root.get_array().get(sheets)) bad("not a JSON array");
    auto text = [&](simdjson::dom::element value, std::string_view key) {
        std::string_view s;
        if (value.get_string().get(s)) bad("\"" + std::string(key) + "\" must be a string");
        return std::string(s);
    };
    std::vector<SheetSpec> out;
    for (simdjson::dom::element item : sheets) {
        simdjson::dom::object object;
        if (item.get_object().get(object)) bad("each sheet must be an object");
        SheetSpec spec;
        for (auto field : object) {
            if (field.key == "name") spec.name = text(field.value, field.key);
            else if (field.key == "query") spec.query = text(field.value, field.key);
            else if (field.key == "total") {
                simdjson::dom::object total;
                if (field.value.get_object().get(total)) bad("\"total\" must be an object {\"label\", \"sum\"}");
                for (auto t : total) {
                    if (t.key == "label") spec.total = text(t.value, t.key);
                    else if (t.key == "sum") {
                        simdjson::dom::array columns;
                        if (t.value.get_array().get(columns)) bad("total \"sum\" must be an array of column names");
                        for (simdjson::dom::element c : columns) spec.total_columns.push_back(text(c, "sum"));
                    } else bad("unknown total key \"" + excerpt(t.key, 50) + "\"");
                }
                if (spec.total.empty()) bad("a total without \"label\"");
            }
            else if (field.key == "chart") {
                simdjson::dom::object chart;
                if (field.value.get_object().get(chart)) bad("\"chart\" must be an object");
                spec.chart = true;
                for (auto c : chart) {
                    if (c.key == "title") spec.chart_title = text(c.value, c.key);
                    else if (c.key == "category") spec.chart_category = text(c.value, c.key);
                    else if (c.key == "value") spec.chart_value = text(c.value, c.key);
                    else if (c.key == "type") {
                        std::string type = text(c.value, c.key);
                        if (type != "bar" && type != "column") bad("chart \"type\" must be bar or column");
                        spec.chart_horizontal = type == "bar";
                    } else if (c.key == "rows") {
                        std::int64_t n;
                        if (c.value.get_int64().get(n) || n < 1 || n > 1000) bad("chart \"rows\" must be 1 to 1000");
                        spec.chart_rows = static_cast<std::uint32_t>(n);
                    } else bad("unknown chart key \"" + excerpt(c.key, 50) + "\"");
                }
            } else bad("unknown sheet key \"" + excerpt(field.key, 50) + "\"");
        }
        if (spec.query.empty()) bad("a sheet without \"query\"");
        out.push_back(std::move(spec));
    }
    if (out.empty()) bad("no sheet");
    return out;
}

}  // namespace crm
