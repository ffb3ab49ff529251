// libFuzzer target: a paging reader of each vendor fed arbitrary responses.
// Input: one byte choosing the source, then responses separated by 0xFF
// bytes (never valid in a UTF-8 JSON body), each a status byte and a body.
// crm::Error is an expected outcome; a crash, a sanitizer report, a hang,
// or the secret's value in an error message, detail or hint is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/api_connector.hpp"
#include "core/error.hpp"

namespace {

const char* const kSecret = "S3CRET-fuzz-key";

struct Source {
    const char* kind;
    const char* config;
    const char* resource;
    const char* options;
};

const Source kSources[] = {
    {"odoo", R"({"url":"https://cave.odoo.com","database":"cave","login":"api@cave.fr","api_key_secret":"k"})", "res.partner",
     R"({"page_size":2,"since":"2024-05-01","domain":[["active","=",true]]})"},
    {"pennylane", R"({"url":"https://app.pennylane.com","token_secret":"p"})", "customers", R"({"since":"2024-05-01"})"},
    {"brevo", R"({"url":"https://api.brevo.com","api_key_secret":"b"})", "contacts", R"({"page_size":2})"},
    {"http_json", R"({"url":"https://x.example","auth":{"secret":"s"},"records":"/data",
                      "pagination":{"type":"cursor","has_more":"/more"}})", "items", ""},
    {"http_json", R"({"url":"https://x.example/api","records":"/items","pagination":{"type":"link","next_url":"/next"}})", "", ""},
    {"http_json", R"({"url":"https://x.example","pagination":{"type":"page","count":"/total"}})", "", R"({"page_size":2})"},
};

const long kStatuses[] = {200, 200, 200, 200, 201, 204, 301, 401, 403, 404, 429, 500, 502, 503};

bool leaks(const crm::Error& e) {
    std::string_view secret(kSecret);
    return std::string_view(e.what()).find(secret) != std::string_view::npos ||
           e.detail().find(secret) != std::string::npos || e.hint().find(secret) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const Source& source = kSources[data[0] % (sizeof kSources / sizeof kSources[0])];
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    static crm::JsonDocument document;
    try {
        crm::ApiReader reader(crm::parse_api_config(source.kind, source.config), kSecret, source.resource, source.options);
        crm::HttpRequest request;
        while (!input.empty() && reader.next_request(request)) {
            std::size_t end = input.find('\xff');
            std::string_view chunk = input.substr(0, end);
            input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
            crm::HttpResponse response;
            if (!chunk.empty()) {
                response.status = kStatuses[static_cast<unsigned char>(chunk[0]) % (sizeof kStatuses / sizeof kStatuses[0])];
                response.body.assign(chunk.substr(1));
            }
            reader.on_response(response, document);
        }
    } catch (const crm::Error& e) {
        if (leaks(e)) std::abort();
    }
    return 0;
}
