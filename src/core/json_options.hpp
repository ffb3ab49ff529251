#pragma once
// The options argument of pg_crm's functions: a JSON object whose fields are
// read one by one, each with its type checked, and every mistake reported as
// 22023 "invalid <what> option: ..." with the list of options as the hint.
#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace crm {

class JsonOptions {
public:
    // Parses `json`, which must be a JSON object. `what` names the options in
    // messages ("reader", "export"); `hint` lists them.
    JsonOptions(std::string_view json, std::string what, std::string hint);
    JsonOptions(const JsonOptions&) = delete;
    JsonOptions& operator=(const JsonOptions&) = delete;

    simdjson::dom::object fields() const { return object_; }
    [[noreturn]] void fail(const std::string& problem) const;

    std::string_view text(simdjson::dom::element value, std::string_view key) const;
    bool flag(simdjson::dom::element value, std::string_view key) const;
    // A one-character option ("delimiter": ";"); "tab" and "\t" spell a tab,
    // and "" gives '\0' where allow_empty (no quote character).
    char character(simdjson::dom::element value, std::string_view key, bool allow_empty = false) const;
    // A non-negative integer.
    std::int64_t count(simdjson::dom::element value, std::string_view key) const;

private:
    std::string what_;
    std::string hint_;
    simdjson::dom::parser parser_;
    simdjson::padded_string padded_;
    simdjson::dom::object object_;
};

}  // namespace crm
