#include "core/read_options.hpp"

#include <simdjson.h>

#include "core/error.hpp"
#include "core/json_options.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

void read_columns(const JsonOptions& options, simdjson::dom::element value, ReadOptions& out) {
    simdjson::dom::object mapping;
    if (!value.get_object().get(mapping)) {
        for (auto field : mapping)
            out.columns.emplace_back(std::string(field.key), std::string(options.text(field.value, "columns")));
        return;
    }
    // The array crm_sniff returns ([{"name", "header", "type"}]) describes
    // the file; it is accepted so a sniff result can be pasted back whole.
    simdjson::dom::array described;
    if (value.get_array().get(described))
        options.fail("\"columns\" must be an object {column: header} (or crm_sniff's array)");
}

}  // namespace

const char* on_error_name(OnError mode) {
    switch (mode) {
        case OnError::Stop: return "stop";
        case OnError::Skip: return "skip";
        case OnError::Quarantine: return "quarantine";
    }
    return "stop";
}

ReadOptions parse_read_options(std::string_view json) {
    ReadOptions out;
    const JsonOptions options(json, "reader",
                              "Options: format, encoding, delimiter, quote, escape, header, skip_rows, decimal, thousands, "
                              "date_format, null, sheet, columns, on_error, max_rejects, sample_bytes.");
    for (auto field : options.fields()) {
        std::string_view key = field.key;
        simdjson::dom::element value = field.value;
        if (key == "format") {
            std::string_view f = options.text(value, key);
            if (f == "csv") out.format = FileFormat::Csv;
            else if (f == "xlsx") out.format = FileFormat::Xlsx;
            else options.fail("\"format\" must be csv or xlsx, not \"" + std::string(f) + "\"");
        } else if (key == "encoding") {
            std::string_view name = options.text(value, key);
            out.csv.encoding = parse_encoding_name(name);
            if (!out.csv.encoding) options.fail("unknown encoding \"" + std::string(name) + "\"");
        } else if (key == "delimiter") {
            out.csv.delimiter = options.character(value, key, false);
        } else if (key == "quote") {
            out.csv.quote = options.character(value, key, true);
        } else if (key == "escape") {
            out.csv.escape = options.character(value, key, true);
        } else if (key == "header") {
            out.csv.header = options.flag(value, key);
        } else if (key == "skip_rows") {
            out.csv.skip_rows = static_cast<int>(std::min<std::int64_t>(options.count(value, key), 1000000));
        } else if (key == "decimal") {
            char d = options.character(value, key, false);
            if (d != ',' && d != '.') options.fail("\"decimal\" must be \",\" or \".\"");
            out.csv.decimal = d;
        } else if (key == "thousands") {
            std::string_view t = options.text(value, key);
            if (t == "none") t = "";
            if (!(t.empty() || t == " " || t == "\u00a0" || t == "\u202f" || t == "." || t == "'" || t == ","))
                options.fail("\"thousands\" must be \"\", \" \", \"\\u00a0\", \"\\u202f\", \".\", \"'\" or \",\"");
            out.csv.thousands = std::string(t);
        } else if (key == "date_format") {
            std::string_view f = options.text(value, key);
            if (!(f.empty() || f == "DMY" || f == "MDY" || f == "YMD"))
                options.fail("\"date_format\" must be DMY, MDY or YMD");
            out.csv.date_format = std::string(f);
        } else if (key == "null") {
            out.nulls.clear();
            simdjson::dom::array list;
            if (!value.get_array().get(list)) {
                for (auto item : list) out.nulls.emplace_back(options.text(item, "null"));
            } else {
                out.nulls.emplace_back(options.text(value, key));
            }
        } else if (key == "sheet") {
            std::int64_t index;
            if (!value.get_int64().get(index)) out.sheet = std::to_string(index);
            else out.sheet = std::string(options.text(value, key));
        } else if (key == "columns") {
            read_columns(options, value, out);
        } else if (key == "on_error") {
            std::string_view mode = options.text(value, key);
            if (mode == "stop") out.on_error = OnError::Stop;
            else if (mode == "skip") out.on_error = OnError::Skip;
            else if (mode == "quarantine") out.on_error = OnError::Quarantine;
            else options.fail("\"on_error\" must be stop, skip or quarantine");
        } else if (key == "max_rejects") {
            out.max_rejects = static_cast<std::uint64_t>(options.count(value, key));
        } else if (key == "sample_bytes") {
            out.csv.sample_bytes = static_cast<size_t>(std::clamp<std::int64_t>(options.count(value, key), 4096, 64 << 20));
        } else if (key == "sheets" || key == "sample_rows") {
            // Part of crm_sniff's description; accepted and ignored.
        } else {
            options.fail("unknown option \"" + std::string(key) + "\"");
        }
    }
    return out;
}

}  // namespace crm
