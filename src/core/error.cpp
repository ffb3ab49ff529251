#include "core/error.hpp"

#include "core/core_only.hpp"

namespace crm {

Error::Error(const char* state, std::string message, std::string detail, std::string hint)
    : std::runtime_error(std::move(message)), sqlstate_(state), detail_(std::move(detail)), hint_(std::move(hint)) {}

std::string describe(const Location& where) {
    std::string out;
    if (!where.file.empty()) {
        auto slash = where.file.find_last_of('/');
        out += slash == std::string::npos ? where.file : where.file.substr(slash + 1);
    }
    if (where.line > 0) {
        out += out.empty() ? "line " : " line ";
        out += std::to_string(where.line);
    }
    if (where.record > 0 && where.record != where.line) {
        out += " (record " + std::to_string(where.record) + ")";
    }
    if (!where.column.empty()) {
        out += out.empty() ? "column \"" : ", column \"";
        out += where.column + "\"";
    }
    return out;
}

ParseError::ParseError(const Location& where, const std::string& what, std::string detail, const char* state)
    : Error(state, describe(where).empty() ? what : describe(where) + ": " + what, std::move(detail)),
      where_(where) {}

std::string excerpt(std::string_view text, std::size_t max_bytes) {
    static constexpr std::string_view kEllipsis = "...";
    bool cut = text.size() > max_bytes;
    if (cut) {
        std::size_t end = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
        // Back up over continuation bytes so no character is split.
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        text = text.substr(0, end);
    }
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    if (cut) out += kEllipsis;
    return out;
}

}  // namespace crm
