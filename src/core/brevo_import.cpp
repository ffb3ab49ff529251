#include "core/brevo_import.hpp"

#include <cstdint>
#include <vector>

#include <simdjson.h>

#include "core/error.hpp"
#include "core/json_writer.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

[[noreturn]] void bad(const std::string& what) {
    throw Error(sqlstate::kInvalidParameterValue, "Brevo import: " + what);
}

std::string_view member_text(simdjson::dom::object object, std::string_view key, const std::string& where,
                             bool required) {
    simdjson::dom::element value;
    if (object.at_key(key).get(value) || value.is_null()) {
        if (required) bad(where + " has no \"" + std::string(key) + "\"");
        return {};
    }
    std::string_view text;
    if (value.get_string().get(text)) bad(where + ": \"" + std::string(key) + "\" must be a string");
    return text;
}

std::vector<std::int64_t> list_ids(std::string_view options_json) {
    std::vector<std::int64_t> ids;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(options_json.empty() ? std::string_view("{}") : options_json);
    simdjson::dom::object options;
    if (parser.parse(padded).get_object().get(options)) bad("the options must be a JSON object");
    for (auto field : options) {
        if (field.key != "list_ids") bad("unknown option \"" + excerpt(field.key, 60) + "\" (list_ids)");
        simdjson::dom::array array;
        if (field.value.get_array().get(array)) bad("\"list_ids\" must be an array of Brevo list ids");
        for (auto item : array) {
            std::int64_t id;
            if (item.get_int64().get(id) || id <= 0) bad("\"list_ids\" must hold positive integers");
            ids.push_back(id);
        }
    }
    return ids;
}

}  // namespace

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    std::size_t end = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
    // Back up over continuation bytes: the cut falls before a lead byte.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    std::string out(text.substr(0, end));
    out += kEllipsis;
    return out;
}

std::string brevo_import_body(std::string_view contacts_json, std::string_view options_json) {
    const std::vector<std::int64_t> lists = list_ids(options_json);
    simdjson::dom::parser parser;
    simdjson::padded_string padded(contacts_json);
    simdjson::dom::array contacts;
    if (parser.parse(padded).get_array().get(contacts)) bad("the contacts must be a JSON array");
    const std::size_t count = contacts.size();
    if (count == 0 || count > static_cast<std::size_t>(kBrevoImportMaxContacts))
        bad("an import holds 1 to " + std::to_string(kBrevoImportMaxContacts) + " contacts, not " +
            std::to_string(count));

    JsonWriter json;
    json.begin_object().key("jsonBody").begin_array();
    std::size_t number = 0;
    for (auto item : contacts) {
        const std::string where = "contact " + std::to_string(++number);
        simdjson::dom::object contact;
        if (item.get_object().get(contact)) bad(where + " is not a JSON object");
        std::string_view email = member_text(contact, "email", where, true);
        if (email.empty() || email.find('@') == std::string_view::npos) bad(where + " has no valid e-mail");
        simdjson::dom::array recommendations;
        if (contact.at_key("recommendations").get_array().get(recommendations))
            bad(where + " has no \"recommendations\" array");
        const std::size_t n = recommendations.size();
        if (n == 0 || n > static_cast<std::size_t>(kBrevoMaxRecommendations))
            bad(where + " has " + std::to_string(n) + " recommendations (1 to " +
                std::to_string(kBrevoMaxRecommendations) + ")");

        json.begin_object().key("email").value(email).key("attributes").begin_object();
        json.key("RECO_COUNT").value(static_cast<std::uint64_t>(n));
        std::size_t rank = 0;
        for (auto element : recommendations) {
            const std::string attribute = "RECO_" + std::to_string(++rank);
            const std::string at = where + ", recommendation " + std::to_string(rank);
            simdjson::dom::object recommendation;
            if (element.get_object().get(recommendation)) bad(at + " is not a JSON object");
            std::string_view name = member_text(recommendation, "name", at, true);
            if (name.empty()) bad(at + " has an empty name");
            std::string_view reason = member_text(recommendation, "reason", at, false);
            json.key(attribute).value(truncate_utf8(name, kBrevoTextAttributeBytes));
            if (!reason.empty()) json.key(attribute + "_RAISON").value(truncate_utf8(reason, kBrevoTextAttributeBytes));
        }
        json.end_object().end_object();
    }
    json.end_array();
    json.key("updateExistingContacts").value(true);
    json.key("emptyContactsAttributes").value(false);
    if (!lists.empty()) {
        json.key("listIds").begin_array();
        for (std::int64_t id : lists) json.value(id);
        json.end_array();
    }
    json.end_object();
    if (json.str().size() > kBrevoImportMaxBytes)
        throw Error(sqlstate::kProgramLimitExceeded,
                    "Brevo import body of " + std::to_string(json.str().size()) + " bytes exceeds 8 MB", "",
                    "Push with a smaller batch_size.");
    return json.take();
}

}  // namespace crm
