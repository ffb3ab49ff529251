#include "core/json_records.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/json_writer.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

void append_number(std::string& out, simdjson::dom::element value) {
    char buffer[40];
    std::to_chars_result written{};
    std::int64_t signed_integer;
    std::uint64_t unsigned_integer;
    if (!value.get_int64().get(signed_integer)) {
        written = std::to_chars(buffer, buffer + sizeof buffer, signed_integer);
    } else if (!value.get_uint64().get(unsigned_integer)) {
        written = std::to_chars(buffer, buffer + sizeof buffer, unsigned_integer);
    } else {
        // The DOM keeps the parsed double, not its spelling: the shortest
        // form that reads back to the same double is the closest we get
        // ("230.32" stays 230.32; "1.50" becomes 1.5).
        written = std::to_chars(buffer, buffer + sizeof buffer, value.get_double().value_unsafe());
    }
    out.append(buffer, written.ptr);
}

// Recursion is bounded by the parser's maximum depth (1024 by default).
void append_value(std::string& out, simdjson::dom::element value, InterruptTicker& ticker) {
    ticker.tick();
    switch (value.type()) {
        case simdjson::dom::element_type::OBJECT: {
            out.push_back('{');
            bool first = true;
            for (auto field : simdjson::dom::object(value)) {
                if (!first) out.push_back(',');
                first = false;
                append_json_string(out, field.key);
                out.push_back(':');
                append_value(out, field.value, ticker);
            }
            out.push_back('}');
            break;
        }
        case simdjson::dom::element_type::ARRAY: {
            out.push_back('[');
            bool first = true;
            for (auto item : simdjson::dom::array(value)) {
                if (!first) out.push_back(',');
                first = false;
                append_value(out, item, ticker);
            }
            out.push_back(']');
            break;
        }
        case simdjson::dom::element_type::STRING:
            append_json_string(out, std::string_view(value));
            break;
        case simdjson::dom::element_type::BOOL:
            out += bool(value) ? "true" : "false";
            break;
        case simdjson::dom::element_type::NULL_VALUE:
            out += "null";
            break;
        default:
            append_number(out, value);
    }
}

const char* type_name(simdjson::dom::element_type type) {
    switch (type) {
        case simdjson::dom::element_type::OBJECT: return "an object";
        case simdjson::dom::element_type::ARRAY: return "an array";
        case simdjson::dom::element_type::STRING: return "a string";
        case simdjson::dom::element_type::BOOL: return "a boolean";
        case simdjson::dom::element_type::NULL_VALUE: return "null";
        default: return "a number";
    }
}

// What the response looked like, for an error detail: names only, because
// values may be personal data.
std::string shape_of(simdjson::dom::element root) {
    simdjson::dom::object object;
    if (root.get_object().get(object)) return std::string("The response is ") + type_name(root.type()) + ".";
    constexpr std::size_t kMaxKeys = 20;
    std::string keys;
    std::size_t count = 0;
    for (auto field : object) {
        if (++count > kMaxKeys) {
            keys += ", ...";
            break;
        }
        if (!keys.empty()) keys += ", ";
        keys += excerpt(field.key, 64);
    }
    return keys.empty() ? "The response is an empty object." : "Top-level keys: " + keys + ".";
}

[[noreturn]] void bad_fields_option(const std::string& what) {
    throw Error(sqlstate::kInvalidParameterValue, "invalid \"fields\" option: " + what, "",
                "\"fields\" maps output columns to JSON pointers: {\"partner_id\": \"/order_partner_id/0\"}.");
}

JsonPointer checked_pointer(std::string_view text, std::string_view column) {
    std::optional<JsonPointer> pointer = JsonPointer::parse(text);
    if (!pointer)
        bad_fields_option("\"" + excerpt(text, 100) + "\" (column \"" + std::string(column) +
                          "\") is not a JSON pointer; write \"\" or \"/member/0\", with ~0 for ~ and ~1 for /");
    return std::move(*pointer);
}

}  // namespace

simdjson::dom::element JsonDocument::parse(std::string& body, std::string_view context) {
    if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element root;
    auto error = parser_.parse(body.data(), body.size(), false).get(root);
    if (error)
        throw Error(sqlstate::kInvalidJsonText,
                    "invalid JSON in the response of " + std::string(context) + ": " + simdjson::error_message(error));
    return root;
}

std::optional<JsonPointer> JsonPointer::parse(std::string_view text) {
    JsonPointer pointer;
    pointer.text_ = std::string(text);
    if (text.empty()) return pointer;
    if (text.front() != '/') return std::nullopt;
    std::size_t start = 1;
    for (;;) {
        std::size_t slash = text.find('/', start);
        std::string_view raw = text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        Step step;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '~') {
                step.key.push_back(raw[i]);
            } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                step.key.push_back(raw[++i] == '0' ? '~' : '/');
            } else {
                return std::nullopt;
            }
        }
        // RFC 6901 array indexes: digits without a leading zero.
        bool digits = !step.key.empty() && step.key.size() <= 18 && (step.key == "0" || step.key.front() != '0');
        for (char c : step.key) digits = digits && c >= '0' && c <= '9';
        if (digits) step.index = std::stoull(step.key);
        pointer.steps_.push_back(std::move(step));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return pointer;
}

bool JsonPointer::find(simdjson::dom::element from, simdjson::dom::element& found) const {
    simdjson::dom::element current = from;
    for (const Step& step : steps_) {
        simdjson::dom::object object;
        simdjson::dom::array array;
        if (!current.get_object().get(object)) {
            if (object.at_key(step.key).get(current)) return false;
        } else if (!current.get_array().get(array)) {
            if (!step.index || array.at(*step.index).get(current)) return false;
        } else {
            return false;
        }
    }
    found = current;
    return true;
}

std::string member_pointer(std::string_view name) {
    std::string out = "/";
    for (char c : name) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out.push_back(c);
    }
    return out;
}

simdjson::dom::array records_at(simdjson::dom::element root, std::string_view pointer, std::string_view context) {
    std::optional<JsonPointer> parsed = JsonPointer::parse(pointer);
    simdjson::dom::element found;
    simdjson::dom::array records;
    if (!parsed || !parsed->find(root, found) || found.get_array().get(records))
        throw Error(sqlstate::kProtocolViolation,
                    "the response of " + std::string(context) + " has no array at " +
                        (pointer.empty() ? std::string("its root") : "\"" + excerpt(pointer, 100) + "\""),
                    shape_of(root));
    return records;
}

std::vector<JsonColumn> json_columns(const std::vector<std::pair<std::string, JsonColumnKind>>& names,
                                     std::string_view fields_option_json) {
    std::vector<JsonColumn> columns;
    columns.reserve(names.size());
    for (const auto& [name, kind] : names) columns.push_back(JsonColumn{name, member_pointer(name), kind});
    if (fields_option_json.empty()) return columns;

    simdjson::dom::parser parser;
    simdjson::padded_string padded(fields_option_json);
    simdjson::dom::element fields;
    if (parser.parse(padded).get(fields)) bad_fields_option("not valid JSON");
    simdjson::dom::object mapping;
    if (fields.get_object().get(mapping)) {
        // Odoo's list of fields to request says nothing about the columns.
        if (fields.is_array() || fields.is_null()) return columns;
        bad_fields_option("it must be an object {column: pointer} or a list of Odoo fields");
    }
    for (auto field : mapping) {
        std::string_view pointer;
        if (field.value.get_string().get(pointer))
            bad_fields_option("the pointer of \"" + excerpt(field.key, 100) + "\" must be a string");
        checked_pointer(pointer, field.key);
        auto column = std::find_if(columns.begin(), columns.end(), [&](const JsonColumn& c) { return c.name == field.key; });
        if (column == columns.end())
            bad_fields_option("\"" + excerpt(field.key, 100) + "\" is not an output column");
        column->pointer = std::string(pointer);
    }
    return columns;
}

std::string member_json(std::string_view object_json, std::string_view key) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(object_json);
    simdjson::dom::object object;
    simdjson::dom::element member;
    if (parser.parse(padded).get_object().get(object) || object[key].get(member)) return {};
    return minified(member);
}

RecordMapper::RecordMapper(std::vector<JsonColumn> columns)
    : columns_(std::move(columns)), scratch_(columns_.size()) {
    pointers_.reserve(columns_.size());
    for (const JsonColumn& column : columns_) pointers_.push_back(checked_pointer(column.pointer, column.name));
}

void RecordMapper::map(simdjson::dom::element record, std::vector<MappedValue>& out) {
    out.assign(columns_.size(), MappedValue{});
    InterruptTicker ticker;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        simdjson::dom::element value;
        if (!pointers_[i].find(record, value)) continue;
        MappedValue& mapped = out[i];
        JsonColumnKind kind = columns_[i].kind;
        std::string& scratch = scratch_[i];
        switch (value.type()) {
            case simdjson::dom::element_type::NULL_VALUE:
                break;
            case simdjson::dom::element_type::BOOL: {
                bool flag = bool(value);
                if (!flag && kind != JsonColumnKind::Boolean) break;
                mapped.null = false;
                mapped.boolean = kind == JsonColumnKind::Boolean;
                mapped.text = flag ? "true" : "false";
                break;
            }
            case simdjson::dom::element_type::STRING:
                mapped.null = false;
                if (kind == JsonColumnKind::Json) {
                    scratch.clear();
                    append_json_string(scratch, std::string_view(value));
                    mapped.text = scratch;
                } else {
                    mapped.text = std::string_view(value);
                }
                break;
            case simdjson::dom::element_type::OBJECT:
            case simdjson::dom::element_type::ARRAY:
                scratch.clear();
                append_value(scratch, value, ticker);
                mapped.null = false;
                mapped.text = scratch;
                break;
            default:
                scratch.clear();
                append_number(scratch, value);
                mapped.null = false;
                mapped.number = true;
                mapped.text = scratch;
        }
    }
}

void append_minified(std::string& out, simdjson::dom::element value) {
    InterruptTicker ticker;
    append_value(out, value, ticker);
}

std::string minified(simdjson::dom::element value) {
    std::string out;
    append_minified(out, value);
    return out;
}

}  // namespace crm
