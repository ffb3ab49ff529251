// A small streaming JSON writer for results that cross into SQL as jsonb
// (sniffer results, load reports, build info). Handles escaping and commas;
// the caller keeps nesting balanced.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crm {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(std::int64_t number);
    JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
    JsonWriter& value(std::uint64_t number);
    JsonWriter& value(double number);  // non-finite numbers are written as null
    JsonWriter& value(bool flag);
    JsonWriter& null();

    const std::string& str() const noexcept { return out_; }
    std::string take() noexcept { return std::move(out_); }

private:
    void separate();
    std::string out_;
    bool need_comma_ = false;
};

// Appends `text` as a JSON string literal (quotes included) to `out`.
void append_json_string(std::string& out, std::string_view text);

}  // namespace crm
