#include "core/read_options.hpp"

#include <simdjson.h>

#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

[[noreturn]] void bad_option(const std::string& what) {
    throw Error(sqlstate::kInvalidParameterValue, "invalid reader option: " + what, "",
                "Options: format, encoding, delimiter, quote, escape, header, skip_rows, decimal, thousands, "
                "date_format, null, sheet, columns, on_error, max_rejects, sample_bytes.");
}

std::string_view string_of(simdjson::dom::element value, std::string_view key) {
    std::string_view s;
    if (value.get_string().get(s)) bad_option("\"" + std::string(key) + "\" must be a string");
    return s;
}

// A one-character option ("delimiter": ";"); "tab" and "\t" spell a tab.
char char_of(simdjson::dom::element value, std::string_view key, bool allow_empty) {
    std::string_view s = string_of(value, key);
    if (s == "tab" || s == "\\t") return '\t';
    if (s.empty() && allow_empty) return '\0';
    if (s.size() != 1) bad_option("\"" + std::string(key) + "\" must be one character, not \"" + std::string(s) + "\"");
    return s[0];
}

std::int64_t int_of(simdjson::dom::element value, std::string_view key) {
    std::int64_t n;
    if (value.get_int64().get(n) || n < 0)
        bad_option("\"" + std::string(key) + "\" must be a non-negative integer");
    return n;
}

void read_columns(simdjson::dom::element value, ReadOptions& out) {
    simdjson::dom::object mapping;
    if (!value.get_object().get(mapping)) {
        for (auto field : mapping)
            out.columns.emplace_back(std::string(field.key), std::string(string_of(field.value, "columns")));
        return;
    }
    // The array crm_sniff returns ([{"name", "header", "type"}]) describes
    // the file; it is accepted so a sniff result can be pasted back whole.
    simdjson::dom::array described;
    if (value.get_array().get(described))
        bad_option("\"columns\" must be an object {column: header} (or crm_sniff's array)");
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
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::element root;
    simdjson::dom::object object;
    if (parser.parse(padded).get(root) || root.get_object().get(object)) bad_option("options must be a JSON object");

    for (auto field : object) {
        std::string_view key = field.key;
        simdjson::dom::element value = field.value;
        if (key == "format") {
            std::string_view f = string_of(value, key);
            if (f == "csv") out.format = FileFormat::Csv;
            else if (f == "xlsx") out.format = FileFormat::Xlsx;
            else bad_option("\"format\" must be csv or xlsx, not \"" + std::string(f) + "\"");
        } else if (key == "encoding") {
            std::string_view name = string_of(value, key);
            out.csv.encoding = parse_encoding_name(name);
            if (!out.csv.encoding) bad_option("unknown encoding \"" + std::string(name) + "\"");
        } else if (key == "delimiter") {
            out.csv.delimiter = char_of(value, key, false);
        } else if (key == "quote") {
            out.csv.quote = char_of(value, key, true);
        } else if (key == "escape") {
            out.csv.escape = char_of(value, key, true);
        } else if (key == "header") {
            bool header;
            if (value.get_bool().get(header)) bad_option("\"header\" must be true or false");
            out.csv.header = header;
        } else if (key == "skip_rows") {
            out.csv.skip_rows = static_cast<int>(std::min<std::int64_t>(int_of(value, key), 1000000));
        } else if (key == "decimal") {
            char d = char_of(value, key, false);
            if (d != ',' && d != '.') bad_option("\"decimal\" must be \",\" or \".\"");
            out.csv.decimal = d;
        } else if (key == "thousands") {
            std::string_view t = string_of(value, key);
            if (t == "none") t = "";
            if (!(t.empty() || t == " " || t == "\u00a0" || t == "\u202f" || t == "." || t == "'" || t == ","))
                bad_option("\"thousands\" must be \"\", \" \", \"\\u00a0\", \"\\u202f\", \".\", \"'\" or \",\"");
            out.csv.thousands = std::string(t);
        } else if (key == "date_format") {
            std::string_view f = string_of(value, key);
            if (!(f.empty() || f == "DMY" || f == "MDY" || f == "YMD"))
                bad_option("\"date_format\" must be DMY, MDY or YMD");
            out.csv.date_format = std::string(f);
        } else if (key == "null") {
            out.nulls.clear();
            simdjson::dom::array list;
            if (!value.get_array().get(list)) {
                for (auto item : list) out.nulls.emplace_back(string_of(item, "null"));
            } else {
                out.nulls.emplace_back(string_of(value, key));
            }
        } else if (key == "sheet") {
            std::int64_t index;
            if (!value.get_int64().get(index)) out.sheet = std::to_string(index);
            else out.sheet = std::string(string_of(value, key));
        } else if (key == "columns") {
            read_columns(value, out);
        } else if (key == "on_error") {
            std::string_view mode = string_of(value, key);
            if (mode == "stop") out.on_error = OnError::Stop;
            else if (mode == "skip") out.on_error = OnError::Skip;
            else if (mode == "quarantine") out.on_error = OnError::Quarantine;
            else bad_option("\"on_error\" must be stop, skip or quarantine");
        } else if (key == "max_rejects") {
            out.max_rejects = static_cast<std::uint64_t>(int_of(value, key));
        } else if (key == "sample_bytes") {
            out.csv.sample_bytes = static_cast<size_t>(std::clamp<std::int64_t>(int_of(value, key), 4096, 64 << 20));
        } else if (key == "sheets" || key == "sample_rows") {
            // Part of crm_sniff's description; accepted and ignored.
        } else {
            bad_option("unknown option \"" + std::string(key) + "\"");
        }
    }
    return out;
}

}  // namespace crm
