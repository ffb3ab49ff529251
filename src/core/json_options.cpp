#include "core/json_options.hpp"

#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

JsonOptions::JsonOptions(std::string_view json, std::string what, std::string hint)
    : what_(std::move(what)), hint_(std::move(hint)), padded_(json) {
    simdjson::dom::element root;
    if (parser_.parse(padded_).get(root) || root.get_object().get(object_)) fail("options must be a JSON object");
}

void JsonOptions::fail(const std::string& problem) const {
    throw Error(sqlstate::kInvalidParameterValue, "invalid " + what_ + " option: " + problem, "", hint_);
}

std::string_view JsonOptions::text(simdjson::dom::element value, std::string_view key) const {
    std::string_view s;
    if (value.get_string().get(s)) fail("\"" + std::string(key) + "\" must be a string");
    return s;
}

bool JsonOptions::flag(simdjson::dom::element value, std::string_view key) const {
    bool b;
    if (value.get_bool().get(b)) fail("\"" + std::string(key) + "\" must be true or false");
    return b;
}

char JsonOptions::character(simdjson::dom::element value, std::string_view key, bool allow_empty) const {
    std::string_view s = text(value, key);
    if (s == "tab" || s == "\\t") return '\t';
    if (s.empty() && allow_empty) return '\0';
    if (s.size() != 1) fail("\"" + std::string(key) + "\" must be one character, not \"" + std::string(s) + "\"");
    return s[0];
}

std::int64_t JsonOptions::count(simdjson::dom::element value, std::string_view key) const {
    std::int64_t n;
    if (value.get_int64().get(n) || n < 0) fail("\"" + std::string(key) + "\" must be a non-negative integer");
    return n;
}

}  // namespace crm
