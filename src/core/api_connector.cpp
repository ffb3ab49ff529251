#include "core/api_connector.hpp"

#include <algorithm>
#include <functional>
#include <ctime>
#include <new>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/json_writer.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

// The largest page_size accepted anywhere; each vendor caps it lower.
constexpr int kLargestPage = 1000000;

constexpr std::size_t kQuotedBytes = 200;  // how much of a server's message an error quotes

bool is_kind(std::string_view kind) {
    return kind == "odoo" || kind == "pennylane" || kind == "brevo" || kind == "http_json";
}

// Errors about a source config or reader options: the words say what to fix.
class ConfigErrors {
public:
    explicit ConfigErrors(std::string prefix) : prefix_(std::move(prefix)) {}
    [[noreturn]] void fail(const std::string& what, std::string hint = {}) const {
        throw Error(sqlstate::kInvalidParameterValue, prefix_ + what, "", std::move(hint));
    }
    std::string_view text(simdjson::dom::element value, std::string_view key) const {
        std::string_view s;
        if (value.get_string().get(s)) fail("\"" + std::string(key) + "\" must be a string");
        return s;
    }
    double number(simdjson::dom::element value, std::string_view key, double low, double high) const {
        double d;
        if (value.get_double().get(d) || !(d >= low && d <= high))
            fail("\"" + std::string(key) + "\" must be a number from " + format(low) + " to " + format(high));
        return d;
    }
    long integer(simdjson::dom::element value, std::string_view key, long low, long high) const {
        std::int64_t n;
        if (value.get_int64().get(n) || n < low || n > high)
            fail("\"" + std::string(key) + "\" must be an integer from " + std::to_string(low) + " to " +
                 std::to_string(high));
        return static_cast<long>(n);
    }
    simdjson::dom::object object(simdjson::dom::element value, std::string_view key) const {
        simdjson::dom::object o;
        if (value.get_object().get(o)) fail("\"" + std::string(key) + "\" must be a JSON object");
        return o;
    }
    std::string pointer(simdjson::dom::element value, std::string_view key) const {
        std::string_view p = text(value, key);
        if (!JsonPointer::parse(p))
            fail("\"" + std::string(key) + "\" must be a JSON pointer such as \"/items\" (or \"\" for the root)");
        return std::string(p);
    }

private:
    static std::string format(double d) {
        std::string s = std::to_string(d);
        s.erase(s.find_last_not_of('0') + 1);
        if (s.back() == '.') s.pop_back();
        return s;
    }
    std::string prefix_;
};

simdjson::dom::object parse_object(simdjson::dom::parser& parser, simdjson::padded_string& padded,
                                   const ConfigErrors& errors, const char* complaint) {
    simdjson::dom::element root;
    simdjson::dom::object object;
    if (parser.parse(padded).get(root) || root.get_object().get(object)) errors.fail(complaint);
    return object;
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

bool has_control_or_space(std::string_view s) {
    return has_control(s) || s.find(' ') != std::string_view::npos;
}

// scheme://host[:port] of an http(s) URL ("" when it is not one).
std::string origin_of(std::string_view url) {
    std::string lower = to_lower_ascii(url.substr(0, 8));
    std::size_t scheme_end;
    if (lower.compare(0, 7, "http://") == 0) scheme_end = 7;
    else if (lower.compare(0, 8, "https://") == 0) scheme_end = 8;
    else return {};
    std::size_t authority_end = std::min(url.find_first_of("/?#", scheme_end), url.size());
    if (authority_end == scheme_end) return {};
    return std::string(url.substr(0, authority_end));
}

std::string checked_base_url(std::string_view url, const ConfigErrors& errors) {
    if (origin_of(url).empty() || has_control_or_space(url) || url.find_first_of("?#") != std::string_view::npos)
        errors.fail("has an invalid \"url\": write the http(s) address of the server, without query, "
                    "such as \"https://cave.odoo.com\"");
    while (!url.empty() && url.back() == '/') url.remove_suffix(1);
    return std::string(url);
}

bool is_header_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

ApiPagination parse_pagination(simdjson::dom::element value, const ConfigErrors& errors) {
    ApiPagination paging;
    simdjson::dom::object object = errors.object(value, "pagination");
    simdjson::dom::element type_value;
    if (object.at_key("type").get(type_value))
        errors.fail("needs \"pagination\".\"type\": none, cursor, offset, page or link");
    std::string_view type = errors.text(type_value, "pagination.type");
    std::vector<std::string_view> keys;
    if (type == "none") {
        paging.type = ApiPagination::Type::None;
    } else if (type == "cursor") {
        paging.type = ApiPagination::Type::Cursor;
        keys = {"cursor_param", "next_cursor", "has_more"};
    } else if (type == "offset") {
        paging.type = ApiPagination::Type::Offset;
        keys = {"offset_param", "limit_param", "count"};
    } else if (type == "page") {
        paging.type = ApiPagination::Type::Page;
        keys = {"page_param", "limit_param", "count"};
    } else if (type == "link") {
        paging.type = ApiPagination::Type::Link;
        keys = {"next_url"};
    } else {
        errors.fail("has an unknown pagination type \"" + excerpt(type, 40) + "\": use none, cursor, offset, page or link");
    }
    for (auto field : object) {
        std::string_view key = field.key;
        if (key == "type") continue;
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            errors.fail("has an unknown key \"" + excerpt(key, 60) + "\" in a \"" + std::string(type) + "\" pagination");
        if (key == "cursor_param") paging.cursor_param = std::string(errors.text(field.value, key));
        else if (key == "offset_param") paging.offset_param = std::string(errors.text(field.value, key));
        else if (key == "limit_param") paging.limit_param = std::string(errors.text(field.value, key));
        else if (key == "page_param") paging.page_param = std::string(errors.text(field.value, key));
        else if (key == "next_cursor") paging.next_cursor = errors.pointer(field.value, key);
        else if (key == "has_more") paging.has_more = errors.pointer(field.value, key);
        else if (key == "count") paging.count = errors.pointer(field.value, key);
        else paging.next_url = errors.pointer(field.value, key);
    }
    for (const std::string* name : {&paging.cursor_param, &paging.offset_param, &paging.page_param})
        if (name->empty()) errors.fail("needs non-empty pagination parameter names");
    return paging;
}

// A secret's name, as crm_secret_set accepts it. Anything else is most
// likely the key itself pasted in the config: refused without repeating it,
// since the config is readable by crm_runner and kept by pg_dump.
std::string secret_name(const ConfigErrors& errors, simdjson::dom::element value, std::string_view key) {
    std::string_view name = errors.text(value, key);
    bool valid = !name.empty() && name.size() <= 63 && name[0] >= 'a' && name[0] <= 'z';
    for (char c : name) valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (!valid)
        errors.fail("\"" + std::string(key) + "\" must be the name of a secret (lower-case letters, digits and _, "
                    "starting with a letter), not the key itself",
                    "Store the key with crm_secret_set('a_name', '...') and give \"a_name\" here.");
    return std::string(name);
}

void parse_auth(simdjson::dom::element value, ApiConfig& config, const ConfigErrors& errors) {
    config.auth_header = "Authorization";
    for (auto field : errors.object(value, "auth")) {
        std::string_view key = field.key;
        if (key == "header") config.auth_header = std::string(errors.text(field.value, "auth.header"));
        else if (key == "prefix") config.auth_prefix = std::string(errors.text(field.value, "auth.prefix"));
        else if (key == "secret") config.secret_name = secret_name(errors, field.value, "auth.secret");
        else errors.fail("has an unknown key \"" + excerpt(key, 60) + "\" in \"auth\" (header, prefix, secret)");
    }
    if (!is_header_name(config.auth_header)) errors.fail("needs an HTTP header name in \"auth\".\"header\"");
    if (has_control(config.auth_prefix))
        errors.fail("has a control character in \"auth\".\"prefix\"");
    if (config.secret_name.empty()) errors.fail("needs \"auth\".\"secret\": the name of the secret to send");
}

// An empty records array for steps that carry no records (Odoo's login).
simdjson::dom::array empty_records() {
    static simdjson::dom::parser parser;
    static const simdjson::dom::array empty = [] {
        simdjson::dom::array array;
        // Parsing "[]" fails only when memory runs out.
        if (parser.parse(simdjson::padded_string(std::string_view("[]"))).get_array().get(array)) throw std::bad_alloc();
        return array;
    }();
    return empty;
}

bool digits_at(std::string_view s, std::size_t from, std::size_t n) {
    return s.size() >= from + n && std::all_of(s.begin() + from, s.begin() + from + n, [](char c) { return c >= '0' && c <= '9'; });
}

// "YYYY-MM-DD" then anything: every vendor's since starts with a date.
bool starts_with_date(std::string_view s) {
    return digits_at(s, 0, 4) && s[4] == '-' && digits_at(s, 5, 2) && s[7] == '-' && digits_at(s, 8, 2);
}

// Odoo compares write_date with "YYYY-MM-DD HH:MM:SS" strings in UTC.
std::string odoo_timestamp(std::string_view since, const ConfigErrors& errors) {
    auto digits = [&](std::size_t from, std::size_t n) { return digits_at(since, from, n); };
    bool date = starts_with_date(since);
    if (date && since.size() == 10) return std::string(since) + " 00:00:00";
    if (date && since.size() >= 19 && (since[10] == 'T' || since[10] == ' ') && digits(11, 2) && since[13] == ':' &&
        digits(14, 2) && since[16] == ':' && digits(17, 2)) {
        std::size_t end = 19;
        if (end < since.size() && since[end] == '.') {
            ++end;
            while (end < since.size() && since[end] >= '0' && since[end] <= '9') ++end;
        }
        if (end < since.size() && since[end] == 'Z') ++end;
        if (end == since.size()) return std::string(since.substr(0, 10)) + " " + std::string(since.substr(11, 8));
    }
    errors.fail("\"since\" must be a UTC date or time such as \"2024-05-01\" or \"2024-05-01T08:00:00Z\"");
}

// The "fields" argument of search_read: "[]" (every field) unless the
// option names some, and then always with id and write_date, the keyset.
std::string odoo_field_list(std::optional<simdjson::dom::element> fields, const ConfigErrors& errors) {
    if (!fields) return "[]";
    std::vector<std::string> names;
    simdjson::dom::array list;
    simdjson::dom::object mapping;
    if (!fields->get_array().get(list)) {
        for (auto item : list) names.emplace_back(errors.text(item, "fields"));
    } else if (!fields->get_object().get(mapping)) {
        for (auto field : mapping) {
            std::optional<JsonPointer> pointer = JsonPointer::parse(errors.text(field.value, "fields"));
            if (!pointer) errors.fail("\"fields\" of \"" + excerpt(field.key, 60) + "\" is not a JSON pointer");
            if (!pointer->first_step()) return "[]";  // "" is the whole record
            names.push_back(*pointer->first_step());
        }
    } else {
        errors.fail("\"fields\" must be a list of Odoo fields or an object {column: pointer}");
    }
    if (names.empty()) return "[]";
    names.insert(names.end(), {"id", "write_date"});
    std::string out = "[";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (std::find(names.begin(), names.begin() + i, names[i]) != names.begin() + i) continue;
        if (out.size() > 1) out += ',';
        append_json_string(out, names[i]);
    }
    return out + "]";
}

std::string today_utc() {
    std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &parts);
    return text;
}

bool is_odoo_model(std::string_view name) {
    bool dot = false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c == '.') {
            if (i == 0 || i + 1 == name.size() || name[i - 1] == '.') return false;
            dot = true;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return dot && name.size() <= 128;
}

struct VendorResource {
    const char* kind;
    const char* name;
    const char* records_pointer;
    int default_page_size;
    int max_page_size;
};

// The GET vendors' resources (Odoo takes any model, http_json any path).
constexpr VendorResource kResources[] = {
    {"pennylane", "customers", "/items", 100, 100},
    {"pennylane", "products", "/items", 100, 100},
    {"pennylane", "customer_invoices", "/items", 100, 100},
    {"pennylane", "supplier_invoices", "/items", 100, 100},
    {"pennylane", "changelogs/customers", "/items", 1000, 1000},
    {"brevo", "contacts", "/contacts", 500, 1000},
    {"brevo", "smtp/blockedContacts", "/contacts", 100, 100},
};

std::string supported_resources(std::string_view kind) {
    std::string list;
    for (const auto& r : kResources) {
        if (r.kind != kind) continue;
        if (!list.empty()) list += ", ";
        list += r.name;
    }
    return list;
}

void append_query(std::string& url, const std::vector<std::pair<std::string, std::string>>& params) {
    for (const auto& [name, value] : params) {
        url += url.find('?') == std::string::npos ? '?' : '&';
        url += percent_encode(name);
        url += '=';
        url += percent_encode(value);
    }
}

// "host/path" of a URL, for messages (no scheme, no query).
std::string target_of(std::string_view url) {
    std::size_t start = url.find("://");
    start = start == std::string_view::npos ? 0 : start + 3;
    std::size_t end = url.find_first_of("?#", start);
    return excerpt(url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start), 120);
}

// The first string a vendor's error body offers as its message.
std::string_view server_message(simdjson::dom::element root) {
    static const char* const kPlaces[] = {"/message", "/error/data/message", "/error/message", "/error",
                                          "/detail", "/errors/0/message", "/errors/0"};
    for (const char* place : kPlaces) {
        simdjson::dom::element found;
        std::string_view text;
        if (!root.at_pointer(place).get(found) && !found.get_string().get(text) && !text.empty()) return text;
    }
    return {};
}

std::string blank_secret(std::string text, const std::string& secret) {
    if (!secret.empty()) {
        for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
            text.replace(at, secret.size(), "[secret]");
    }
    return text;
}

// Blanked before the cut, so that no part of the secret survives either.
std::string quote_server(std::string_view server_text, const std::string& secret) {
    return excerpt(blank_secret(std::string(server_text), secret), kQuotedBytes);
}

// 401/403 (or Odoo's login refusal): names the secret to check, never its value.
// `use` ("read", "write") says what the account must be allowed to do.
[[noreturn]] void throw_refused(const ApiConfig& config, const std::string& secret, const std::string& target,
                                long status, std::string_view message, const char* use) {
    std::string what;
    if (config.kind == "odoo") {
        what = "Odoo refused the login for " + config.login + " on database " + config.database;
    } else {
        std::string vendor = config.kind == "pennylane" ? "Pennylane" : config.kind == "brevo" ? "Brevo" : target;
        what = vendor + " refused the credentials (HTTP " + std::to_string(status) + ")";
    }
    std::string hint = config.secret_name.empty()
                           ? "The source config has no \"auth\"; add one naming the secret to send."
                           : "Check that the secret is current and that the account may " + std::string(use) +
                                 " this resource.";
    throw Error(sqlstate::kInvalidAuthorization,
                what + (config.secret_name.empty() ? "" : ": check the secret " + config.secret_name),
                message.empty() ? "" : "The server said: " + quote_server(message, secret), hint);
}

// Any status but 2xx is an error quoting the server's message (its JSON
// "message" or "error", or the start of a non-JSON body).
void check_http_status(const ApiConfig& config, const std::string& secret, const std::string& target,
                       const std::string& context, const char* use, HttpResponse& response, JsonDocument& document) {
    if (response.status >= 200 && response.status < 300) return;
    std::string_view message;
    std::string raw_excerpt;
    try {
        message = server_message(document.parse(response.body, context));
    } catch (const Error&) {
        raw_excerpt = response.body.substr(0, 4 * kQuotedBytes);  // not JSON (an HTML error page): quote its start
        message = raw_excerpt;
    }
    if (response.status == 401 || response.status == 403)
        throw_refused(config, secret, target, response.status, message, use);
    throw Error(sqlstate::kConnectionFailure, "HTTP " + std::to_string(response.status) + " from " + target,
                message.empty() ? "" : "The server said: " + quote_server(message, secret));
}

void check_secret_bytes(const ApiConfig& config, const std::string& secret) {
    if (std::any_of(secret.begin(), secret.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }))
        throw Error(sqlstate::kInvalidParameterValue,
                    "the secret \"" + config.secret_name + "\" holds a line break or a NUL byte", "",
                    "Store the key or token alone, without a trailing newline.");
}

// The vendors that authenticate with a header (Odoo sends its key in the body).
void add_auth_header(const ApiConfig& config, const std::string& secret, HttpRequest& out) {
    if (config.kind == "pennylane") out.headers.emplace_back("Authorization", "Bearer " + secret);
    else if (config.kind == "brevo") out.headers.emplace_back("api-key", secret);
    else if (config.kind == "http_json" && !config.secret_name.empty())
        out.headers.emplace_back(config.auth_header,
                                 config.auth_prefix.empty() ? secret : config.auth_prefix + " " + secret);
}

}  // namespace

std::string percent_encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

ApiConfig parse_api_config(std::string_view kind, std::string_view config_json) {
    if (!is_kind(kind))
        throw Error(sqlstate::kInvalidParameterValue, "unknown source kind \"" + excerpt(kind, 40) + "\"", "",
                    "Kinds: odoo, pennylane, brevo, http_json.");
    ConfigErrors errors("source config for kind \"" + std::string(kind) + "\" ");
    ApiConfig config;
    config.kind = std::string(kind);
    if (kind == "pennylane") {
        config.rate_limit_per_s = 5;
        config.rate_burst = 25;
    } else if (kind == "brevo") {
        config.rate_limit_per_s = 10;
        config.rate_burst = 10;
    }

    std::vector<std::string_view> required = {"url"};
    std::vector<std::string_view> keys = {"rate_limit_per_s", "rate_burst", "timeout_ms", "page_size",
                                          "max_pages", "max_retries", "max_retry_wait_ms"};
    if (kind == "odoo") required.insert(required.end(), {"database", "login", "api_key_secret"});
    else if (kind == "pennylane") required.push_back("token_secret");
    else if (kind == "brevo") required.push_back("api_key_secret");
    else keys.insert(keys.end(), {"auth", "records", "pagination"});
    keys.insert(keys.begin(), required.begin(), required.end());
    std::string key_list;
    for (auto key : keys) key_list += (key_list.empty() ? "" : ", ") + std::string(key);

    simdjson::dom::parser parser;
    simdjson::padded_string padded(config_json);
    std::vector<std::string_view> seen;
    for (auto field : parse_object(parser, padded, errors, "must be a JSON object")) {
        std::string_view key = field.key;
        simdjson::dom::element value = field.value;
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            errors.fail("has an unknown key \"" + excerpt(key, 60) + "\"", "Keys: " + key_list + ".");
        seen.push_back(key);
        if (key == "url") config.url = checked_base_url(errors.text(value, key), errors);
        else if (key == "database") config.database = std::string(errors.text(value, key));
        else if (key == "login") config.login = std::string(errors.text(value, key));
        else if (key == "api_key_secret" || key == "token_secret") config.secret_name = secret_name(errors, value, key);
        else if (key == "rate_limit_per_s") config.rate_limit_per_s = errors.number(value, key, 0, 1000);
        else if (key == "rate_burst") config.rate_burst = errors.number(value, key, 1, 1000);
        else if (key == "timeout_ms") config.timeout_ms = errors.integer(value, key, 1, 3600000);
        else if (key == "max_retries") config.max_retries = static_cast<int>(errors.integer(value, key, 0, 10));
        else if (key == "max_retry_wait_ms") config.max_retry_wait_ms = errors.integer(value, key, 0, 3600000);
        else if (key == "page_size") config.page_size = static_cast<int>(errors.integer(value, key, 1, kLargestPage));
        else if (key == "max_pages") config.max_pages = static_cast<int>(errors.integer(value, key, 1, 10000000));
        else if (key == "auth") parse_auth(value, config, errors);
        else if (key == "records") config.records_pointer = errors.pointer(value, key);
        else config.pagination = parse_pagination(value, errors);
    }
    for (auto key : required) {
        if (std::find(seen.begin(), seen.end(), key) == seen.end())
            errors.fail("needs \"" + std::string(key) + "\"", "Keys: " + key_list + ".");
    }
    if (kind != "http_json" && config.secret_name.empty()) errors.fail("needs a non-empty secret name");
    if (kind == "odoo" && (config.database.empty() || config.login.empty()))
        errors.fail("needs a non-empty \"database\" and \"login\"");
    return config;
}

ApiReader::ApiReader(const ApiConfig& config, std::string secret, std::string_view resource,
                     std::string_view options_json)
    : config_(config), secret_(std::move(secret)), resource_(resource), max_pages_(config.max_pages) {
    check_secret_bytes(config_, secret_);
    auto bad_resource = [&](const std::string& what, const std::string& hint) {
        throw Error(sqlstate::kInvalidParameterValue, what, "", hint);
    };
    int default_page_size = 100, max_page_size = 10000;
    if (config_.kind == "odoo") {
        if (!is_odoo_model(resource_))
            bad_resource("\"" + excerpt(resource_, 60) + "\" is not an Odoo model name",
                         "Odoo models look like res.partner, product.product, sale.order.line, stock.quant.");
        step_ = Step::OdooLogin;
        records_pointer_ = "/result";
        default_page_size = 1000;
        // Odoo sets no ceiling: a whole model in one body is allowed (the
        // body is still capped by crm.max_response_size).
        max_page_size = kLargestPage;
        if (resource_ == "stock.quant") odoo_domain_items_ = R"(["location_id.usage","=","internal"])";
    } else if (config_.kind == "http_json") {
        if (has_control_or_space(resource_) || resource_.find_first_of("?#") != std::string::npos ||
            resource_.find("://") != std::string::npos)
            bad_resource("the http_json path \"" + excerpt(resource_, 60) + "\" is not a plain path",
                         "Query parameters go in the \"params\" option.");
        base_url_ = config_.url + (resource_.empty() || resource_.front() == '/' ? "" : "/") + resource_;
        records_pointer_ = config_.records_pointer;
    } else {
        const VendorResource* found = nullptr;
        for (const auto& r : kResources)
            if (r.kind == config_.kind && r.name == resource_) found = &r;
        if (!found)
            bad_resource("unknown " + config_.kind + " resource \"" + excerpt(resource_, 60) + "\"",
                         "Supported: " + supported_resources(config_.kind) + ".");
        base_url_ = config_.url + (config_.kind == "pennylane" ? "/api/external/v2/" : "/v3/") + resource_;
        records_pointer_ = found->records_pointer;
        default_page_size = found->default_page_size;
        max_page_size = found->max_page_size;
    }
    page_size_ = config_.page_size > 0 ? config_.page_size : default_page_size;
    read_options(options_json, max_page_size);
}

void ApiReader::read_options(std::string_view options_json, int max_page_size) {
    ConfigErrors errors("invalid option for " + describe() + ": ");
    if (trim_blanks(options_json).empty()) options_json = "{}";
    simdjson::dom::parser parser;
    simdjson::padded_string padded(options_json);
    std::string since;
    std::optional<simdjson::dom::element> fields, params;
    for (auto field : parse_object(parser, padded, errors, "the options must be a JSON object")) {
        std::string_view key = field.key;
        if (key == "since") {
            since = std::string(errors.text(field.value, key));
            if (!starts_with_date(since) || has_control(since))
                errors.fail("\"since\" must be an ISO date or timestamp such as \"2024-05-01T00:00:00Z\"");
        } else if (key == "domain") {
            simdjson::dom::array domain;
            if (config_.kind != "odoo" || field.value.get_array().get(domain))
                errors.fail("\"domain\" is an Odoo domain (a JSON array) and only applies to odoo sources");
            std::string text = minified(field.value);
            odoo_domain_items_ = text.substr(1, text.size() - 2);
        } else if (key == "fields") {
            fields = field.value;
        } else if (key == "page_size") {
            page_size_ = static_cast<int>(errors.integer(field.value, key, 1, kLargestPage));
        } else if (key == "max_pages") {
            max_pages_ = static_cast<int>(errors.integer(field.value, key, 1, 10000000));
        } else if (key == "params") {
            params = field.value;
        } else {
            errors.fail("unknown option \"" + excerpt(key, 60) + "\"",
                        "Options: since, domain (odoo), fields, page_size, max_pages, params.");
        }
    }
    page_size_ = std::min(page_size_, max_page_size);

    if (config_.kind == "odoo") {
        if (!since.empty()) odoo_since_ = odoo_timestamp(since, errors);
        if (params) errors.fail("\"params\" does not apply to odoo (JSON-RPC has no query parameters)");
        odoo_fields_json_ = odoo_field_list(fields, errors);
        return;
    }

    // The query every page of a GET vendor carries; paging adds its own after.
    std::vector<std::string> managed;
    if (config_.kind == "pennylane") {
        fixed_params_.emplace_back("limit", std::to_string(page_size_));
        if (!since.empty() && resource_ == "changelogs/customers") {
            fixed_params_.emplace_back("start_date", since);
        } else if (!since.empty()) {
            std::string filter = R"([{"field":"updated_at","operator":"gteq","value":)";
            append_json_string(filter, since);
            filter += "}]";
            fixed_params_.emplace_back("filter", filter);
        }
        managed = {"cursor", "limit", "filter", "start_date"};
    } else if (config_.kind == "brevo") {
        fixed_params_.emplace_back("limit", std::to_string(page_size_));
        if (resource_ == "contacts") {
            fixed_params_.emplace_back("sort", "asc");
            // modifiedSince, not createdSince: an old contact who unsubscribes later must be seen.
            if (!since.empty()) fixed_params_.emplace_back("modifiedSince", since);
        } else if (!since.empty()) {
            // blockedContacts wants dates, and endDate whenever startDate is given.
            fixed_params_.emplace_back("startDate", since.substr(0, 10));
            fixed_params_.emplace_back("endDate", today_utc());
        }
        managed = {"limit", "offset", "sort", "modifiedSince", "startDate", "endDate"};
    } else {
        const ApiPagination& paging = config_.pagination;
        if (!since.empty()) errors.fail("\"since\" has no meaning for http_json sources; pass a filter in \"params\"");
        bool sized = paging.type == ApiPagination::Type::Offset || paging.type == ApiPagination::Type::Page;
        if (sized && !paging.limit_param.empty()) {
            fixed_params_.emplace_back(paging.limit_param, std::to_string(page_size_));
            managed.push_back(paging.limit_param);
        }
        if (paging.type == ApiPagination::Type::Cursor) managed.push_back(paging.cursor_param);
        if (paging.type == ApiPagination::Type::Offset) managed.push_back(paging.offset_param);
        if (paging.type == ApiPagination::Type::Page) managed.push_back(paging.page_param);
    }
    if (params) {
        for (auto param : errors.object(*params, "params")) {
            std::string name(param.key);
            if (std::find(managed.begin(), managed.end(), name) != managed.end())
                errors.fail("\"params\" may not set \"" + excerpt(name, 60) + "\": paging and since set it");
            std::string_view text;
            std::int64_t integer;
            bool flag;
            if (!param.value.get_string().get(text)) fixed_params_.emplace_back(name, std::string(text));
            else if (!param.value.get_int64().get(integer)) fixed_params_.emplace_back(name, std::to_string(integer));
            else if (!param.value.get_bool().get(flag)) fixed_params_.emplace_back(name, flag ? "true" : "false");
            else errors.fail("\"params\" values must be strings, integers or booleans");
        }
    }
}

std::string ApiReader::describe() const {
    if (config_.kind == "http_json") return "http_json " + (resource_.empty() ? target_of(config_.url) : resource_);
    return config_.kind + " " + resource_;
}

bool ApiReader::next_request(HttpRequest& out) {
    if (step_ == Step::Done) return false;
    if (step_ == Step::Read && pages_ >= max_pages_)
        throw Error(sqlstate::kProgramLimitExceeded,
                    describe() + " has more than " + std::to_string(max_pages_) + " pages", "",
                    "Raise max_pages (in the options or the source config), or read less with since.");
    out = HttpRequest{};
    out.headers.emplace_back("Accept", "application/json");
    if (config_.kind == "odoo") request_odoo(out);
    else request_get(out);
    last_target_ = target_of(out.url);
    return true;
}

void ApiReader::request_odoo(HttpRequest& out) const {
    out.method = "POST";
    out.url = config_.url + "/jsonrpc";
    out.headers.emplace_back("Content-Type", "application/json");
    std::string& body = out.body;
    body = R"({"jsonrpc":"2.0","method":"call","id":)" + std::to_string(rpc_id_ + 1) + R"(,"params":{"service":)";
    if (step_ == Step::OdooLogin) {
        body += R"("common","method":"login","args":[)";
        append_json_string(body, config_.database);
        body += ',';
        append_json_string(body, config_.login);
        body += ',';
        append_json_string(body, secret_);
        body += "]}}";
        return;
    }
    // Keyset paging on (write_date, id): offsets skip or repeat rows that
    // change during the pull, a keyset does not.
    std::string keyset;
    if (keyset_started_) {
        std::string write_date;
        append_json_string(write_date, last_write_date_);
        keyset = R"("|",["write_date",">",)" + write_date + R"(],"&",["write_date","=",)" + write_date +
                 R"(],["id",">",)" + std::to_string(last_id_) + "]";
    } else if (!odoo_since_.empty()) {
        keyset = R"(["write_date",">=",)";
        append_json_string(keyset, odoo_since_);
        keyset += ']';
    }
    // The leading "&" ANDs the user's first expression with the next one;
    // Odoo ANDs whatever top-level expressions remain.
    std::string domain = odoo_domain_items_.empty() || keyset.empty()
                             ? odoo_domain_items_ + keyset
                             : "\"&\"," + odoo_domain_items_ + "," + keyset;
    body += R"("object","method":"execute_kw","args":[)";
    append_json_string(body, config_.database);
    body += ',' + std::to_string(uid_) + ',';
    append_json_string(body, secret_);
    body += ',';
    append_json_string(body, resource_);
    body += R"(,"search_read",[[)" + domain + R"(]],{"fields":)" + odoo_fields_json_ +
            R"(,"offset":0,"limit":)" + std::to_string(page_size_) +
            R"(,"order":"write_date asc, id asc","context":{"lang":"fr_FR","active_test":false}}]}})";
}

void ApiReader::request_get(HttpRequest& out) const {
    const ApiPagination& paging = config_.pagination;
    add_auth_header(config_, secret_, out);
    if (!next_url_.empty()) {
        out.url = next_url_;
        return;
    }
    out.url = base_url_;
    std::vector<std::pair<std::string, std::string>> params = fixed_params_;
    if (config_.kind == "pennylane" && !cursor_.empty()) params.emplace_back("cursor", cursor_);
    if (config_.kind == "brevo") params.emplace_back("offset", std::to_string(offset_));
    if (config_.kind == "http_json") {
        if (paging.type == ApiPagination::Type::Cursor && !cursor_.empty()) params.emplace_back(paging.cursor_param, cursor_);
        if (paging.type == ApiPagination::Type::Offset) params.emplace_back(paging.offset_param, std::to_string(offset_));
        if (paging.type == ApiPagination::Type::Page) params.emplace_back(paging.page_param, std::to_string(page_number_));
    }
    append_query(out.url, params);
}

std::string ApiReader::without_secret(std::string text) const { return blank_secret(std::move(text), secret_); }

std::string ApiReader::scrubbed(std::string_view server_text) const { return quote_server(server_text, secret_); }

void ApiReader::refused(long status, std::string_view message) const {
    throw_refused(config_, secret_, last_target_, status, message, "read");
}

void ApiReader::check_status(HttpResponse& response, JsonDocument& document) const {
    check_http_status(config_, secret_, last_target_, describe(), "read", response, document);
}

void ApiReader::check_odoo_error(simdjson::dom::element root) const {
    simdjson::dom::element error;
    if (root.at_pointer("/error").get(error) || error.is_null()) return;
    std::string_view message = server_message(root), name;
    if (error.at_pointer("/data/name").get_string().get(name)) name = {};
    if (name.find("AccessDenied") != std::string_view::npos) refused(200, message);
    throw Error(sqlstate::kProtocolViolation,
                "Odoo returned an error for " + describe() + (message.empty() ? "" : ": " + scrubbed(message)),
                name.empty() ? "" : "Odoo error: " + excerpt(without_secret(std::string(name)), 100));
}

simdjson::dom::array ApiReader::on_odoo_login(simdjson::dom::element root) {
    simdjson::dom::element result;
    std::int64_t uid;
    bool flag;
    if (root.at_pointer("/result").get(result))
        throw Error(sqlstate::kProtocolViolation, "the Odoo login answer has no \"result\"");
    if (!result.get_bool().get(flag) && !flag) refused(200, {});
    if (result.get_int64().get(uid) || uid <= 0)
        throw Error(sqlstate::kProtocolViolation, "the Odoo login answer is not a user id");
    uid_ = uid;
    step_ = Step::Read;
    return empty_records();
}

simdjson::dom::array ApiReader::on_response(HttpResponse& response, JsonDocument& document) {
    try {
        return judge(response, document);
    } catch (const Error& e) {
        // Errors quote what the server sent (key names, dates, URLs, its
        // messages), and a server may echo the secret in any of them.
        throw Error(e.sqlstate(), without_secret(e.what()), without_secret(e.detail()), without_secret(e.hint()));
    }
}

simdjson::dom::array ApiReader::judge(HttpResponse& response, JsonDocument& document) {
    ++rpc_id_;
    check_status(response, document);
    if (response.status == 204 || response.body.empty()) {
        if (config_.kind == "http_json" && response.status == 204) {
            step_ = Step::Done;
            return empty_records();
        }
        throw Error(sqlstate::kProtocolViolation,
                    "empty response (HTTP " + std::to_string(response.status) + ") from " + last_target_);
    }
    simdjson::dom::element root = document.parse(response.body, describe());
    if (config_.kind == "odoo") {
        check_odoo_error(root);
        if (step_ == Step::OdooLogin) return on_odoo_login(root);
    }
    simdjson::dom::array records = records_at(root, records_pointer_, describe());
    check_new_page(response.body);
    ++pages_;
    records_ += records.size();
    advance(root, records);
    if (single_page_) step_ = Step::Done;
    return records;
}

void ApiReader::check_new_page(std::string_view body) {
    // The standard library's hash reads 8 bytes at a time: a byte-wise hash
    // cost as much as decoding the page.
    std::uint64_t hash = std::hash<std::string_view>{}(body);
    if (last_page_hash_ && *last_page_hash_ == hash)
        throw Error(sqlstate::kProtocolViolation, "the server returned the same page twice (paging loop)",
                    describe() + ", page " + std::to_string(pages_ + 1));
    last_page_hash_ = hash;
}

void ApiReader::advance(simdjson::dom::element root, simdjson::dom::array records) {
    auto string_at = [&](const std::string& pointer) -> std::optional<std::string_view> {
        simdjson::dom::element found;
        std::string_view text;
        if (pointer.empty() || root.at_pointer(pointer).get(found) || found.get_string().get(text)) return std::nullopt;
        return text;
    };
    auto bool_at = [&](const std::string& pointer) -> std::optional<bool> {
        bool flag;
        if (pointer.empty() || root.at_pointer(pointer).get_bool().get(flag)) return std::nullopt;
        return flag;
    };
    auto count_at = [&](const std::string& pointer) -> std::optional<std::uint64_t> {
        std::uint64_t count;
        if (pointer.empty() || root.at_pointer(pointer).get_uint64().get(count)) return std::nullopt;
        return count;
    };
    const ApiPagination& paging = config_.pagination;
    if (config_.kind == "odoo") {
        advance_odoo(records);
    } else if (config_.kind == "pennylane") {
        advance_cursor(string_at("/next_cursor"), bool_at("/has_more").value_or(false));
    } else if (config_.kind == "brevo") {
        advance_offset(count_at("/count"), records.size());
    } else if (paging.type == ApiPagination::Type::Cursor) {
        advance_cursor(string_at(paging.next_cursor), bool_at(paging.has_more).value_or(true));
    } else if (paging.type == ApiPagination::Type::Offset || paging.type == ApiPagination::Type::Page) {
        advance_offset(count_at(paging.count), records.size());
    } else if (paging.type == ApiPagination::Type::Link) {
        advance_link(root);
    } else {
        step_ = Step::Done;
    }
}

void ApiReader::advance_odoo(simdjson::dom::array records) {
    std::size_t count = records.size();
    if (count == 0) {
        step_ = Step::Done;
        return;
    }
    simdjson::dom::element last = records.at(count - 1).value_unsafe();
    std::string_view write_date;
    std::int64_t id;
    if (last.at_pointer("/write_date").get_string().get(write_date) || last.at_pointer("/id").get_int64().get(id))
        throw Error(sqlstate::kProtocolViolation, "the records of " + describe() + " lack id or write_date",
                    "Paging relies on both; they are requested with every page.");
    if (keyset_started_ && std::make_pair(write_date, id) <= std::make_pair(std::string_view(last_write_date_), last_id_))
        throw Error(sqlstate::kProtocolViolation, "the server returned the same page twice (paging loop)",
                    describe() + ": the last record did not move past write_date " + excerpt(last_write_date_, 40) +
                        ", id " + std::to_string(last_id_));
    keyset_started_ = true;
    last_write_date_ = std::string(write_date);
    last_id_ = id;
    if (count < static_cast<std::size_t>(page_size_)) step_ = Step::Done;  // a short page is the last
}

void ApiReader::advance_cursor(std::optional<std::string_view> cursor, bool has_more) {
    if (!has_more || !cursor || cursor->empty()) {
        if (has_more && config_.kind == "pennylane")
            throw Error(sqlstate::kProtocolViolation, "the response of " + describe() + " has more pages but no next_cursor");
        step_ = Step::Done;
        return;
    }
    if (!seen_positions_.insert(std::string(*cursor)).second)
        throw Error(sqlstate::kProtocolViolation, "the server returned the same page twice (paging loop)",
                    describe() + ": a cursor came back after page " + std::to_string(pages_));
    cursor_ = std::string(*cursor);
}

void ApiReader::advance_offset(std::optional<std::uint64_t> count, std::size_t page_records) {
    offset_ += page_records;
    ++page_number_;
    // With a total, follow it (a server may cap the page size below what was
    // asked); without one, a short page is the last.
    bool more = page_records > 0 && (count ? offset_ < *count : page_records >= static_cast<std::size_t>(page_size_));
    if (!more) step_ = Step::Done;
}

void ApiReader::advance_link(simdjson::dom::element root) {
    simdjson::dom::element found;
    std::string_view next;
    if (root.at_pointer(config_.pagination.next_url).get(found) || found.get_string().get(next) || next.empty()) {
        step_ = Step::Done;
        return;
    }
    // The auth header goes with the next request: it must stay on the origin
    // the admin configured.
    std::string origin = origin_of(config_.url);
    std::string url = next.front() == '/' && (next.size() < 2 || next[1] != '/') ? origin + std::string(next) : std::string(next);
    bool same_origin = url.size() >= origin.size() && to_lower_ascii(url.substr(0, origin.size())) == to_lower_ascii(origin) &&
                       (url.size() == origin.size() || url[origin.size()] == '/' || url[origin.size()] == '?');
    if (!same_origin || has_control_or_space(url))
        throw Error(sqlstate::kProtocolViolation, "the next page URL of " + describe() + " leaves " + target_of(origin),
                    "Next page: " + target_of(url));
    if (!seen_positions_.insert(url).second)
        throw Error(sqlstate::kProtocolViolation, "the server returned the same page twice (paging loop)",
                    describe() + ": a next page URL came back after page " + std::to_string(pages_));
    next_url_ = std::move(url);
}

ApiWriter::ApiWriter(const ApiConfig& config, std::string secret, std::string_view resource)
    : config_(config), secret_(std::move(secret)), resource_(resource) {
    check_secret_bytes(config_, secret_);
    // What may be written, per kind: a short list on purpose (a write
    // through a source's key is a bigger power than a read).
    static constexpr std::pair<const char*, const char*> kWritable[] = {{"brevo", "contacts/import"}};
    bool known = false;
    for (const auto& [kind, name] : kWritable) known = known || (config_.kind == kind && resource_ == name);
    if (!known)
        throw Error(sqlstate::kInvalidParameterValue,
                    "\"" + excerpt(resource_, 60) + "\" is not a writable " + config_.kind + " resource", "",
                    "Writable: brevo contacts/import.");
    url_ = config_.url + "/v3/" + resource_;
}

HttpRequest ApiWriter::request(std::string body) const {
    HttpRequest out;
    out.method = "POST";
    out.url = url_;
    out.headers.emplace_back("Accept", "application/json");
    out.headers.emplace_back("Content-Type", "application/json");
    add_auth_header(config_, secret_, out);
    out.body = std::move(body);
    return out;
}

simdjson::dom::element ApiWriter::on_response(HttpResponse& response, JsonDocument& document) const {
    const std::string target = target_of(url_);
    try {
        check_http_status(config_, secret_, target, describe(), "write", response, document);
        if (response.body.empty())
            throw Error(sqlstate::kProtocolViolation,
                        "empty response (HTTP " + std::to_string(response.status) + ") from " + target);
        return document.parse(response.body, describe());
    } catch (const Error& e) {
        throw Error(e.sqlstate(), blank_secret(e.what(), secret_), blank_secret(e.detail(), secret_),
                    blank_secret(e.hint(), secret_));
    }
}

std::string ApiWriter::describe() const { return config_.kind + " " + resource_; }

ApiReader probe_reader(const ApiConfig& config, std::string secret) {
    std::string_view resource = config.kind == "odoo"        ? "res.partner"
                                : config.kind == "pennylane" ? "customers"
                                : config.kind == "brevo"     ? "contacts"
                                                             : "";
    ApiReader reader(config, std::move(secret), resource,
                     config.kind == "odoo" ? R"({"page_size":1,"fields":["name"]})" : R"({"page_size":1})");
    reader.single_page_ = true;
    return reader;
}

}  // namespace crm
