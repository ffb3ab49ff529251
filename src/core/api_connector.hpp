// What each API vendor expects (URLs, authentication, paging, incremental
// filters) and how it fails, as pure logic: an ApiReader writes the next
// HttpRequest and judges each HttpResponse; the HTTP client in between
// owns the network, timeouts, retries and the host allow-list.
//
// Secrets: the reader holds the secret's value only to put it in a request
// header or POST body. Errors name the secret (its name in the secret store),
// never its value; server messages quoted in errors are cut to 200 bytes and
// have the value blanked in case a server echoes it back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/http_types.hpp"
#include "core/json_records.hpp"

namespace crm {

// How a generic "http_json" source pages ("pagination" in its config):
//   {"type": "none"}    one request (the default)
//   {"type": "cursor", "cursor_param": "cursor", "next_cursor": "/next_cursor", "has_more": "/has_more"}
//       the next request adds cursor_param=<the string at next_cursor>; it ends when next_cursor
//       is missing, null or "", or when has_more (if given) is false
//   {"type": "offset", "offset_param": "offset", "limit_param": "limit", "count": "/total"}
//       offset_param counts records from 0 by page_size; it ends on a short page or when the
//       offset reaches the number at count (if given)
//   {"type": "page", "page_param": "page", "limit_param": "limit", "count": "/total"}
//       page_param counts pages from 1; ends like offset
//   {"type": "link", "next_url": "/links/next"}
//       the next request is the URL at next_url (absolute on the same origin as "url", or a
//       path starting with "/"); it ends when next_url is missing, null or ""
// Every member but type is optional; the values above are the defaults.
// Offset and page paging send limit_param=page_size (limit_param "" sends
// none); cursor and link paging send no page size (add one in "params").
struct ApiPagination {
    enum class Type { None, Cursor, Offset, Page, Link };
    Type type = Type::None;
    std::string cursor_param = "cursor";
    std::string next_cursor = "/next_cursor";  // JSON pointer into the response
    std::string has_more;                      // JSON pointer; "" = not used
    std::string offset_param = "offset";
    std::string limit_param = "limit";
    std::string page_param = "page";
    std::string count;                         // JSON pointer to the total number of records; "" = not used
    std::string next_url = "/next";            // JSON pointer
};

struct ApiConfig {
    std::string kind;        // "odoo" | "pennylane" | "brevo" | "http_json"
    std::string url;         // base URL, http(s), without trailing slash
    std::string database, login;  // odoo
    // Which secret the PostgreSQL side must fetch: odoo and brevo
    // "api_key_secret", pennylane "token_secret", http_json "auth"."secret"
    // (empty for an http_json source without auth).
    std::string secret_name;
    // http_json "auth": {"header": "Authorization", "prefix": "Bearer", "secret": "name"}.
    // The header's value is prefix, a space, then the secret (no space when the prefix is empty).
    std::string auth_header, auth_prefix;
    std::string records_pointer;  // http_json "records": JSON pointer to the records array ("" = the root)
    ApiPagination pagination;     // http_json "pagination"
    // Vendor defaults: pennylane 5/s burst 25 (25 requests per 5 s), brevo 10/s burst 10, others none.
    double rate_limit_per_s = 0, rate_burst = 1;
    long timeout_ms = 60000;
    int max_retries = 5;              // after 429, 5xx, connection errors and timeouts
    long max_retry_wait_ms = 60000;   // clamp for Retry-After and the vendors' reset headers
    // 0 = the resource's default: odoo 1000, pennylane 100 (changelogs 1000), brevo contacts 500,
    // brevo smtp/blockedContacts 100, http_json 100. Capped at what the vendor accepts
    // (pennylane 100, changelogs 1000, brevo contacts 1000, blockedContacts 100).
    int page_size = 0;
    int max_pages = 10000;
};

// Validates a source config (JSON object) for `kind`. Common optional keys:
// rate_limit_per_s, rate_burst, timeout_ms, page_size, max_pages, max_retries,
// max_retry_wait_ms. Per kind:
//   odoo       url, database, login, api_key_secret (all required)
//   pennylane  url, token_secret
//   brevo      url, api_key_secret
//   http_json  url; optional auth {header, prefix, secret}, records, pagination (see ApiPagination)
// Unknown kind or key, a missing key, a wrong type, a URL that is not http(s) -> Error 22023.
ApiConfig parse_api_config(std::string_view kind, std::string_view config_json);

// The paging state machine of one resource read.
class ApiReader {
public:
    // resource: an Odoo model ("res.partner", "sale.order.line", any "a.b" name); pennylane
    // "customers", "products", "customer_invoices", "supplier_invoices", "changelogs/customers";
    // brevo "contacts", "smtp/blockedContacts"; http_json a path appended to url ("" = url itself).
    // options (JSON object, "" = none):
    //   since      ISO date or timestamp (UTC): only records changed since then. Odoo: write_date >= since;
    //              pennylane lists: filter updated_at gteq; changelogs: start_date; brevo contacts:
    //              modifiedSince; blockedContacts: startDate (its date) and endDate (today, UTC);
    //              http_json: refused (put the API's own filter in params)
    //   domain     odoo: a domain (JSON array), ANDed with the paging conditions; stock.quant
    //              defaults to [["location_id.usage","=","internal"]]
    //   fields     odoo: the fields to request (a list), or an object {column: pointer} whose
    //              pointers' first steps are the fields; id and write_date are always added.
    //              Absent, or a pointer "" (the whole record): every field.
    //              Other vendors: only read by json_columns()
    //   page_size, max_pages   override the config
    //   params     {name: value}: extra query parameters (not for odoo; not the ones paging sets)
    // Unknown resource or option, a secret with CR, LF or NUL -> Error 22023.
    ApiReader(const ApiConfig& config, std::string secret, std::string_view resource, std::string_view options_json);

    // Fills the next request (method, URL with a percent-encoded query,
    // headers with auth and "Accept: application/json", JSON body for Odoo).
    // False when every page has been read. More than max_pages -> Error 54000.
    bool next_request(HttpRequest& out);

    // Judges the response to the last request and returns this page's
    // records (an empty array for Odoo's login step, which is not counted).
    // The array lives in `document` (parsed in place from response.body).
    //   401/403, Odoo login false or AccessDenied -> 28000 naming the secret
    //   Odoo "error" member in an HTTP 200 -> 08P01 with the server's message
    //   other non-2xx -> 08006 "HTTP 503 from host/path"
    //   204 or an empty body -> 08P01 (http_json: 204 ends the read)
    //   wrong shape -> 08P01; invalid JSON -> 22032
    //   the same cursor or next URL twice, or the same page twice in a row -> 08P01 (paging loop)
    simdjson::dom::array on_response(HttpResponse& response, JsonDocument& document);

    int pages() const { return pages_; }
    std::uint64_t records() const { return records_; }
    // "odoo res.partner", "brevo contacts": how messages name this read.
    std::string describe() const;

private:
    friend ApiReader probe_reader(const ApiConfig& config, std::string secret);

    enum class Step { OdooLogin, Read, Done };

    void read_options(std::string_view options_json, int max_page_size);
    void request_odoo(HttpRequest& out) const;
    void request_get(HttpRequest& out) const;
    void check_status(HttpResponse& response, JsonDocument& document) const;
    void check_odoo_error(simdjson::dom::element root) const;
    simdjson::dom::array on_odoo_login(simdjson::dom::element root);
    void advance(simdjson::dom::element root, simdjson::dom::array records);
    void advance_odoo(simdjson::dom::array records);
    void advance_cursor(std::optional<std::string_view> cursor, bool has_more);
    void advance_offset(std::optional<std::uint64_t> count, std::size_t page_records);
    void advance_link(simdjson::dom::element root);
    void check_new_page(std::string_view body);
    simdjson::dom::array judge(HttpResponse& response, JsonDocument& document);
    std::string without_secret(std::string text) const;
    std::string scrubbed(std::string_view server_text) const;
    [[noreturn]] void refused(long status, std::string_view server_message) const;

    ApiConfig config_;
    std::string secret_;
    std::string resource_;
    std::string base_url_;        // GET vendors: the resource's URL without query
    std::string records_pointer_;
    std::string last_target_;     // host and path of the last request, for messages
    int page_size_ = 0;
    int max_pages_ = 0;
    bool single_page_ = false;  // a probe: one page whatever follows
    Step step_ = Step::Read;
    int pages_ = 0;
    std::uint64_t records_ = 0;
    int rpc_id_ = 0;

    // GET vendors: the query parameters of every page, then the paging ones.
    std::vector<std::pair<std::string, std::string>> fixed_params_;
    std::string cursor_;        // pennylane / http_json cursor; "" before the first page
    std::uint64_t offset_ = 0;  // brevo / http_json offset
    std::uint64_t page_number_ = 1;
    std::string next_url_;      // http_json link paging
    std::unordered_set<std::string> seen_positions_;  // cursors and next URLs already followed
    std::optional<std::uint64_t> last_page_hash_;

    // Odoo.
    std::int64_t uid_ = 0;
    std::string odoo_fields_json_;  // "[...]" or "[]" for every field
    std::string odoo_domain_items_; // the user's domain, its items without brackets
    std::string odoo_since_;        // "YYYY-MM-DD HH:MM:SS" or ""
    bool keyset_started_ = false;
    std::string last_write_date_;
    std::int64_t last_id_ = 0;
};

// One JSON POST that writes to a vendor resource, authenticated like the
// source's reads (the same header, the same secret) and judged like them.
// Writable resources: brevo "contacts/import" (an upsert by e-mail, so a
// retry after a 429, a 5xx or a timeout cannot do harm).
class ApiWriter {
public:
    // Unknown resource (or a kind with none), a secret with CR, LF or NUL -> Error 22023.
    ApiWriter(const ApiConfig& config, std::string secret, std::string_view resource);

    // POST <url>/v3/<resource> with the auth header and `body` as JSON.
    HttpRequest request(std::string body) const;

    // The response's JSON value, parsed into `document`:
    //   401/403 -> 28000 naming the secret; other non-2xx -> 08006 "HTTP 400 from host/path"
    //   quoting the server's message (the secret blanked); an empty body -> 08P01; invalid JSON -> 22032.
    simdjson::dom::element on_response(HttpResponse& response, JsonDocument& document) const;

    // "brevo contacts/import"
    std::string describe() const;

private:
    ApiConfig config_;
    std::string secret_;
    std::string resource_;
    std::string url_;
};

// The reader crm_source_test uses to check a source: Odoo logs in and reads
// one res.partner; pennylane reads one customer; brevo one contact;
// http_json its first page.
ApiReader probe_reader(const ApiConfig& config, std::string secret);

// RFC 3986 percent-encoding of a query component (unreserved bytes kept).
std::string percent_encode(std::string_view text);

}  // namespace crm
