// JSON response bodies of the API readers seen as records: parse a body,
// find its records array, and map each record (a JSON object) to the text
// of the output columns. The PostgreSQL side only converts text to datums.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm {

// One per reader, reused across pages: the simdjson parser keeps its
// buffers, so a steady stream of pages does not allocate.
class JsonDocument {
public:
    // Parses `body` in place. The HTTP client leaves SIMDJSON_PADDING bytes
    // of capacity after the body; a body without them is padded here.
    // Elements are valid until the next parse() (the DOM copies strings
    // out of `body`).
    // Invalid or truncated JSON -> Error 22032 naming `context`.
    // Integers beyond 64 bits are refused by simdjson 3.0 (also 22032).
    simdjson::dom::element parse(std::string& body, std::string_view context);

private:
    simdjson::dom::parser parser_;
};

// An RFC 6901 pointer, split and unescaped once so that looking it up in
// every record neither re-parses it nor allocates. "" is the value itself.
class JsonPointer {
public:
    // nullopt when `text` is not a pointer ("x", "/a~2").
    static std::optional<JsonPointer> parse(std::string_view text);

    // False when a step is missing: no such member, index out of range, or a
    // step into a scalar.
    bool find(simdjson::dom::element from, simdjson::dom::element& found) const;
    const std::string& text() const { return text_; }
    // The first member name it steps into (nullptr for "").
    const std::string* first_step() const { return steps_.empty() ? nullptr : &steps_.front().key; }

private:
    struct Step {
        std::string key;                    // unescaped member name
        std::optional<std::size_t> index;   // the key as an array index, when it is one
    };
    std::string text_;
    std::vector<Step> steps_;
};

// "/" + name with "~" and "/" escaped: the member called `name`.
std::string member_pointer(std::string_view name);

// The records array at `pointer` ("" = the root itself, "/result", "/items").
// Missing or not an array -> Error 08P01 whose detail names the top-level
// keys seen (names only, never values).
simdjson::dom::array records_at(simdjson::dom::element root, std::string_view pointer, std::string_view context);

// Json: the column is json/jsonb and takes the value as JSON text.
enum class JsonColumnKind { Text, Boolean, Json };

struct JsonColumn {
    std::string name;
    std::string pointer;
    JsonColumnKind kind = JsonColumnKind::Text;
};

// The columns of a column definition list. Each column reads the member of
// its own name unless `fields_option_json` (the value of options.fields)
// is an object {"partner_id": "/order_partner_id/0"} naming its pointer.
// An array (Odoo's field list) or "" leaves every pointer at its default.
// Invalid pointers and keys naming no column -> Error 22023.
std::vector<JsonColumn> json_columns(const std::vector<std::pair<std::string, JsonColumnKind>>& names,
                                     std::string_view fields_option_json);

// The member `key` of a JSON object (an options argument) as JSON text; ""
// when the text is not an object or has no such member.
std::string member_json(std::string_view object_json, std::string_view key);

struct MappedValue {
    bool null = true;
    bool number = false;   // a JSON number: text is a valid numeric literal
    bool boolean = false;  // true/false in a Boolean column: text is "true" or "false"
    std::string_view text;
};

// Maps records to column values:
//   missing member, JSON null                  -> null
//   false in a Text or Json column             -> null (Odoo writes an empty field as false)
//   true/false in a Boolean column             -> "true"/"false", boolean
//   true in a Text or Json column              -> "true"
//   string                                     -> its unescaped text (a JSON string literal in a Json column)
//   number                                     -> integers with every digit; other numbers in the
//                                                 shortest form that reads back the same ("230.32"), number
//   object or array                            -> minified JSON text (Odoo's many2one [7,"Dupont"])
class RecordMapper {
public:
    // Invalid pointers -> Error 22023.
    explicit RecordMapper(std::vector<JsonColumn> columns);

    // One value per column, valid until the next map() call (or the next
    // parse of the document). Scratch buffers are kept per column, so a
    // steady state does not allocate.
    void map(simdjson::dom::element record, std::vector<MappedValue>& out);
    const std::vector<JsonColumn>& columns() const { return columns_; }

private:
    std::vector<JsonColumn> columns_;
    std::vector<JsonPointer> pointers_;
    std::vector<std::string> scratch_;
};

// `value` as minified JSON text (numbers as RecordMapper writes them).
std::string minified(simdjson::dom::element value);
// The same, appended to `out`.
void append_minified(std::string& out, simdjson::dom::element value);

}  // namespace crm
