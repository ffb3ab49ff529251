#include "core/http_client.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <mutex>
#include <netinet/in.h>
#include <new>
#include <random>
#include <sys/socket.h>

#include <curl/curl.h>

#include "core/ascii.hpp"
#include "core/build_info.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/worker_thread.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

constexpr int kMaxRedirects = 3;
// How long one wait for socket activity may last before the cancel flag is
// read again: well under the one second a cancel may take.
constexpr int kPollSliceMs = 50;
// simdjson parses in place when this much readable memory follows the body.
constexpr std::size_t kParsePadding = 64;

void initialise_libcurl() {
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (result != CURLE_OK)
        throw Error(sqlstate::kInternalError, "libcurl could not be initialised", curl_easy_strerror(result));
}

using UrlHandle = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;
using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// Parsed with libcurl's URL API; null when the text is not a URL. Schemes
// libcurl does not speak still parse, so that a refusal can name them.
UrlHandle parse_url(const std::string& text, const std::string& base = {}) {
    UrlHandle url(curl_url(), &curl_url_cleanup);
    if (!url) throw std::bad_alloc();
    if (!base.empty() && curl_url_set(url.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) return {nullptr, nullptr};
    if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        return {nullptr, nullptr};
    return url;
}

std::string url_part(CURLU* url, CURLUPart which, unsigned flags = 0) {
    char* value = nullptr;
    if (curl_url_get(url, which, &value, flags) != CURLUE_OK || value == nullptr) return {};
    std::string out(value);
    curl_free(value);
    return out;
}

// scheme://host:port, the part of a URL a redirect may not change.
std::string origin_of(CURLU* url) {
    std::string scheme = to_lower_ascii(url_part(url, CURLUPART_SCHEME));
    std::string host = to_lower_ascii(url_part(url, CURLUPART_HOST));
    if (host.empty()) return scheme + "://";
    return scheme + "://" + host + ":" + url_part(url, CURLUPART_PORT, CURLU_DEFAULT_PORT);
}

std::string address_text(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (address->sa_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
    else if (address->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
    return text;
}

bool has_line_break(const std::string& text) { return text.find_first_of(std::string("\r\n\0", 3)) != std::string::npos; }

// Header values may be secrets: a refusal names the header, never its value.
HeaderList build_headers(const HttpRequest& request) {
    HeaderList list(nullptr, &curl_slist_free_all);
    auto append = [&](const std::string& line) {
        curl_slist* grown = curl_slist_append(list.get(), line.c_str());
        if (!grown) throw std::bad_alloc();
        list.release();
        list.reset(grown);
    };
    for (const auto& [name, value] : request.headers) {
        if (name.empty() || name.find_first_of(std::string(":\r\n \t\0", 6)) != std::string::npos)
            throw Error(sqlstate::kInvalidParameterValue, "invalid HTTP request header name");
        if (has_line_break(value))
            throw Error(sqlstate::kInvalidParameterValue,
                        "the value of HTTP request header \"" + name + "\" contains a line break");
        append(name + ": " + value);
    }
    // Without this libcurl waits for "100 Continue" before sending a large
    // POST body; the APIs answer at once, so it would cost a round trip.
    append("Expect:");
    return list;
}

double epoch_now_s() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double since_ms(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// "8 MB", or bytes for a cap that is not a whole number of MB.
std::string size_text(std::size_t bytes) {
    constexpr std::size_t kMegabyte = 1u << 20;
    return bytes % kMegabyte == 0 ? std::to_string(bytes / kMegabyte) + " MB" : std::to_string(bytes) + " bytes";
}

// How a failed transfer is reported and whether another attempt may help.
struct TransportFailure {
    const char* sqlstate;
    std::string message;
    std::string retry_reason;  // empty: retrying cannot help
};

}  // namespace

std::string url_for_messages(const std::string& url) {
    UrlHandle parsed = parse_url(url);
    if (!parsed) return "(an invalid URL)";
    return origin_of(parsed.get()) + url_part(parsed.get(), CURLUPART_PATH);
}

struct HttpClient::Impl {
    Impl(std::vector<HostRule> allowed_hosts, HttpLimits transfer_limits);
    ~Impl();
    HttpResponse perform(const HttpRequest& request);

    template <typename Value>
    void set(CURLoption option, Value value) {
        CURLcode code = curl_easy_setopt(easy, option, value);
        if (code == CURLE_OUT_OF_MEMORY) throw std::bad_alloc();
        if (code != CURLE_OK)
            throw Error(sqlstate::kInternalError, "libcurl refused an option", curl_easy_strerror(code));
    }

    struct Outcome {
        CURLcode code = CURLE_OK;
        long status = 0;
        bool connected = false;
    };
    Outcome transfer(const CheckedUrl& target, const HttpRequest& request, curl_slist* headers);
    CURLcode run_until_done();
    TransportFailure describe_failure(const Outcome& outcome, const std::string& url, double elapsed_ms) const;
    CheckedUrl follow_redirect(const CheckedUrl& from);
    double uniform01() { return std::uniform_real_distribution<double>(0.0, 1.0)(random); }

    static size_t on_body(char* data, size_t size, size_t count, void* self) noexcept;
    static size_t on_header(char* data, size_t size, size_t count, void* self) noexcept;
    static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept;
    static curl_socket_t on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address) noexcept;

    std::vector<HostRule> rules;
    HttpLimits limits;
    CURL* easy = nullptr;
    CURLM* multi = nullptr;  // owns the connection cache, so connections outlive a transfer
    char error_buffer[CURL_ERROR_SIZE] = {};
    std::unique_ptr<TokenBucket> pacing;
    std::vector<HttpAttempt> attempts;
    long connections = 0;
    std::mt19937_64 random{std::random_device{}()};

    // The transfer in progress, written by the callbacks.
    struct Current {
        const HostRule* rule = nullptr;
        std::string host;
        std::string refused_address;  // "127.0.0.2 (loopback)" when the open-socket check said no
        std::string body;
        bool body_too_large = false;
        bool out_of_memory = false;
        bool cancelled = false;
        RetryHeaders retry_headers;
        std::string location;
    } current;
};

HttpClient::Impl::Impl(std::vector<HostRule> allowed_hosts, HttpLimits transfer_limits)
    : rules(std::move(allowed_hosts)), limits(std::move(transfer_limits)) {
    initialise_libcurl();
    easy = curl_easy_init();
    multi = curl_multi_init();
    if (!easy || !multi) {
        if (easy) curl_easy_cleanup(easy);
        if (multi) curl_multi_cleanup(multi);
        throw std::bad_alloc();
    }
    try {
        static const std::string user_agent = std::string("pg_crm/") + kVersion;
        set(CURLOPT_ERRORBUFFER, error_buffer);
        set(CURLOPT_NOSIGNAL, 1L);
        set(CURLOPT_PROXY, "");  // never a proxy from the server's environment
        set(CURLOPT_FOLLOWLOCATION, 0L);  // redirects are checked and followed by hand
        set(CURLOPT_ACCEPT_ENCODING, "");
        set(CURLOPT_USERAGENT, user_agent.c_str());
        set(CURLOPT_SSL_VERIFYPEER, 1L);
        set(CURLOPT_SSL_VERIFYHOST, 2L);
        if (!limits.ca_file.empty()) set(CURLOPT_CAINFO, limits.ca_file.c_str());
        set(CURLOPT_CONNECTTIMEOUT_MS, limits.connect_timeout_ms);
        set(CURLOPT_TIMEOUT_MS, limits.timeout_ms);
        set(CURLOPT_LOW_SPEED_LIMIT, limits.low_speed_bytes_per_s);
        set(CURLOPT_LOW_SPEED_TIME, limits.low_speed_time_s);
        set(CURLOPT_WRITEFUNCTION, &Impl::on_body);
        set(CURLOPT_WRITEDATA, this);
        set(CURLOPT_HEADERFUNCTION, &Impl::on_header);
        set(CURLOPT_HEADERDATA, this);
        set(CURLOPT_NOPROGRESS, 0L);
        set(CURLOPT_XFERINFOFUNCTION, &Impl::on_progress);
        set(CURLOPT_XFERINFODATA, this);
        set(CURLOPT_OPENSOCKETFUNCTION, &Impl::on_open_socket);
        set(CURLOPT_OPENSOCKETDATA, this);
    } catch (...) {
        curl_easy_cleanup(easy);
        curl_multi_cleanup(multi);
        throw;
    }
}

HttpClient::Impl::~Impl() {
    curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
}

size_t HttpClient::Impl::on_body(char* data, size_t size, size_t count, void* self) noexcept {
    auto* impl = static_cast<Impl*>(self);
    Current& current = impl->current;
    const size_t bytes = size * count;
    // Counted after decompression: a small gzip body cannot grow past the cap.
    if (bytes > impl->limits.max_body_bytes - current.body.size()) {
        current.body_too_large = true;
        return 0;
    }
    try {
        curl_off_t announced = -1;
        if (current.body.empty() &&
            curl_easy_getinfo(impl->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK && announced > 0)
            current.body.reserve(std::min<std::size_t>(static_cast<std::size_t>(announced), impl->limits.max_body_bytes) +
                                 kParsePadding);
        current.body.append(data, bytes);
    } catch (const std::bad_alloc&) {
        current.out_of_memory = true;
        return 0;
    }
    return bytes;
}

size_t HttpClient::Impl::on_header(char* data, size_t size, size_t count, void* self) noexcept {
    Current& current = static_cast<Impl*>(self)->current;
    const size_t bytes = size * count;
    std::string_view line(data, bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    try {
        if (line.substr(0, 5) == "HTTP/") {  // a new response (after "100 Continue", say): forget the last one's
            current.retry_headers = RetryHeaders();
            current.location.clear();
            return bytes;
        }
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) return bytes;
        std::string name = to_lower_ascii(trim_blanks(line.substr(0, colon)));
        std::string_view value = trim_blanks(line.substr(colon + 1));
        if (name == "retry-after") current.retry_headers.retry_after = value;
        else if (name == "x-sib-ratelimit-reset") current.retry_headers.sib_ratelimit_reset = value;
        else if (name == "ratelimit-reset") current.retry_headers.ratelimit_reset = value;
        else if (name == "location") current.location = value;
    } catch (const std::bad_alloc&) {
        current.out_of_memory = true;
        return 0;
    }
    return bytes;
}

// The poll loop notices a cancel while the socket is idle; this callback
// notices it while libcurl is busy reading a long body.
int HttpClient::Impl::on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
    if (!interrupt_pending()) return 0;
    static_cast<Impl*>(self)->current.cancelled = true;
    return 1;
}

curl_socket_t HttpClient::Impl::on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address) noexcept {
    Current& current = static_cast<Impl*>(self)->current;
    const sockaddr* target = &address->addr;
    if (purpose != CURLSOCKTYPE_IPCXN || current.rule == nullptr || !address_allowed(target, *current.rule)) {
        try {
            if (current.refused_address.empty())
                current.refused_address =
                    address_text(target) + " (" + address_class_name(classify_address(target)) + ")";
        } catch (const std::bad_alloc&) {
            current.out_of_memory = true;
        }
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

CURLcode HttpClient::Impl::run_until_done() {
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) throw std::bad_alloc();
    struct Detach {
        CURLM* multi;
        CURL* easy;
        ~Detach() { curl_multi_remove_handle(multi, easy); }
    } detach{multi, easy};
    int running = 1;
    while (running) {
        CURLMcode performed;
        {
            // libcurl may start its threaded DNS resolver here: it must not
            // inherit a mask that lets it run the backend's signal handlers.
            SignalsBlocked blocked;
            performed = curl_multi_perform(multi, &running);
        }
        if (performed != CURLM_OK) return CURLE_OUT_OF_MEMORY;
        if (!running) break;
        if (interrupt_pending()) {
            current.cancelled = true;
            return CURLE_ABORTED_BY_CALLBACK;
        }
        if (curl_multi_poll(multi, nullptr, 0, kPollSliceMs, nullptr) != CURLM_OK) return CURLE_OUT_OF_MEMORY;
    }
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left))
        if (message->msg == CURLMSG_DONE && message->easy_handle == easy) return message->data.result;
    return CURLE_GOT_NOTHING;
}

HttpClient::Impl::Outcome HttpClient::Impl::transfer(const CheckedUrl& target, const HttpRequest& request,
                                                      curl_slist* headers) {
    current = Current();
    current.rule = target.rule;
    current.host = target.host;
    error_buffer[0] = '\0';
    set(CURLOPT_URL, target.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, target.rule->allow_http ? "http,https" : "https");
    set(CURLOPT_HTTPHEADER, headers);
    if (request.method == "GET") {
        set(CURLOPT_HTTPGET, 1L);
        set(CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
    } else {
        set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        set(CURLOPT_POSTFIELDS, request.body.data());
        set(CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nullptr : request.method.c_str());
    }
    Outcome outcome;
    outcome.code = run_until_done();
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &outcome.status);
    long opened = 0;
    if (curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK) connections += opened;
    // A reused connection has no connect time, but it has a pre-transfer time.
    curl_off_t pretransfer_us = 0;
    outcome.connected = outcome.status != 0 ||
                        (curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us) == CURLE_OK &&
                         pretransfer_us > 0);
    return outcome;
}

TransportFailure HttpClient::Impl::describe_failure(const Outcome& outcome, const std::string& url,
                                                    double elapsed_ms) const {
    switch (outcome.code) {
        case CURLE_OPERATION_TIMEDOUT:
            if (!outcome.connected)
                return {sqlstate::kUnableToConnect,
                        "could not connect to " + url + " within " + std::to_string(limits.connect_timeout_ms) + " ms",
                        "connect timeout"};
            if (elapsed_ms + 50 >= static_cast<double>(limits.timeout_ms))
                return {sqlstate::kConnectionFailure,
                        "request to " + url + " timed out after " + std::to_string(limits.timeout_ms) + " ms", "timeout"};
            return {sqlstate::kConnectionFailure,
                    "no data from " + url + " for " + std::to_string(limits.low_speed_time_s) + " s (under " +
                        std::to_string(limits.low_speed_bytes_per_s) + " bytes/s)",
                    "stalled"};
        case CURLE_COULDNT_CONNECT:
            return {sqlstate::kUnableToConnect, "could not connect to " + url, "connection refused"};
        case CURLE_COULDNT_RESOLVE_HOST:
            return {sqlstate::kUnableToConnect, "could not resolve the host of " + url, "name resolution failed"};
        case CURLE_PARTIAL_FILE:
            return {sqlstate::kConnectionFailure, "the connection to " + url + " closed before the whole body arrived",
                    "partial body"};
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
            return {sqlstate::kConnectionFailure, "the connection to " + url + " was reset", "connection reset"};
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
            return {sqlstate::kUnableToConnect, "the TLS certificate of " + url + " could not be verified", ""};
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
            return {sqlstate::kUnableToConnect, "the TLS handshake with " + url + " failed", ""};
        case CURLE_BAD_CONTENT_ENCODING:
        case CURLE_WEIRD_SERVER_REPLY:
            return {sqlstate::kProtocolViolation, "the response of " + url + " is not valid HTTP", ""};
        default:
            return {sqlstate::kConnectionFailure,
                    "request to " + url + " failed: " + curl_easy_strerror(outcome.code), ""};
    }
}

// Only within the same scheme, host and port: the request's headers carry
// the API key, and a redirect elsewhere (the metadata address, another
// host, file://) is how an SSRF would leave the allow-list.
CheckedUrl HttpClient::Impl::follow_redirect(const CheckedUrl& from) {
    UrlHandle source = parse_url(from.url);
    const std::string source_origin = source ? origin_of(source.get()) : std::string();
    const std::string source_host = source_origin.substr(source_origin.find("://") + 3);
    UrlHandle target = parse_url(current.location, from.url);
    if (!target)
        throw Error(sqlstate::kInsufficientPrivilege,
                    "redirect from " + url_for_messages(from.url) + " to an invalid location refused");
    const std::string target_origin = origin_of(target.get());
    if (target_origin != source_origin)
        throw Error(sqlstate::kInsufficientPrivilege,
                    "redirect to " + target_origin + " refused (redirects may not leave " + source_host + ")", "",
                    "Point the connector at the final address of the API.");
    return check_url(url_part(target.get(), CURLUPART_URL), rules);
}

HttpResponse HttpClient::Impl::perform(const HttpRequest& request) {
    if (request.method != "GET" && request.method != "POST" && request.method != "PUT")
        throw Error(sqlstate::kInvalidParameterValue, "unsupported HTTP method \"" + request.method.substr(0, 20) + "\"");
    HeaderList headers = build_headers(request);
    CheckedUrl target = check_url(request.url, rules);
    // The handle keeps pointers to the header list and the body between
    // transfers; let none outlive this call.
    struct ForgetRequest {
        CURL* easy;
        ~ForgetRequest() {
            curl_easy_setopt(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
        }
    } forget_request{easy};
    const BackoffSettings backoff{limits.backoff_base_ms, limits.max_retry_wait_s};
    int retries = 0;
    int redirects = 0;
    double wait_s = 0;
    // Records why attempt `recorded` is followed by another, and how long to wait before it.
    auto schedule_retry = [&](HttpAttempt& recorded, const std::string& cause, const RetryHeaders& hints) {
        ++retries;
        RetryWait wait = retry_wait(hints, retries, backoff, epoch_now_s(), [this] { return uniform01(); });
        recorded.retry_reason = cause + " (" + wait.reason + ")";
        wait_s = wait.seconds;
    };
    for (int number = 1;; ++number) {
        double waited_s = 0;
        if (wait_s > 0) {
            interruptible_sleep(wait_s, steady_clock());
            waited_s += wait_s;
        }
        if (pacing) waited_s += pacing->acquire();
        check_interrupts();

        const auto started = std::chrono::steady_clock::now();
        Outcome outcome = transfer(target, request, headers.get());
        HttpAttempt attempt;
        attempt.attempt = number;
        attempt.status = outcome.status;
        attempt.bytes = current.body.size();
        attempt.ms = since_ms(started);
        attempt.waited_ms = waited_s * 1000;
        attempts.push_back(attempt);
        HttpAttempt& recorded = attempts.back();

        if (current.cancelled) throw Cancelled();
        if (current.out_of_memory || outcome.code == CURLE_OUT_OF_MEMORY) throw std::bad_alloc();
        const std::string url = url_for_messages(target.url);
        if (!current.refused_address.empty())
            throw Error(sqlstate::kInsufficientPrivilege,
                        "address " + current.refused_address + " of " + target.host + " refused", "",
                        "Only an entry of crm.allowed_hosts that names an internal address literally allows it.");
        if (current.body_too_large)
            throw Error(sqlstate::kProgramLimitExceeded,
                        "response of " + url + " exceeds " + size_text(limits.max_body_bytes) +
                            " (crm.max_response_size)",
                        "", "Ask for smaller pages, or raise crm.max_response_size.");

        if (outcome.code != CURLE_OK) {
            TransportFailure failure = describe_failure(outcome, url, recorded.ms);
            if (failure.retry_reason.empty() || retries >= limits.max_retries) {
                std::string detail = error_buffer[0] ? std::string("libcurl: ") + error_buffer + "; " : std::string();
                detail += std::to_string(number) + (number == 1 ? " attempt" : " attempts");
                throw Error(failure.sqlstate, failure.message, detail);
            }
            schedule_retry(recorded, failure.retry_reason, RetryHeaders());
            continue;
        }

        const long status = outcome.status;
        if (status >= 300 && status < 400 && !current.location.empty()) {
            if (++redirects > kMaxRedirects)
                throw Error(sqlstate::kProtocolViolation, "more than " + std::to_string(kMaxRedirects) +
                                                              " redirects from " + url_for_messages(request.url));
            target = follow_redirect(target);
            recorded.retry_reason = "HTTP " + std::to_string(status) + " redirect";
            wait_s = 0;
            continue;
        }
        if (retryable_status(status) && retries < limits.max_retries) {
            schedule_retry(recorded, "HTTP " + std::to_string(status), current.retry_headers);
            continue;
        }

        HttpResponse response;
        response.status = status;
        char* content_type = nullptr;
        if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type)
            response.content_type = content_type;
        current.body.reserve(current.body.size() + kParsePadding);
        response.body = std::move(current.body);
        response.retries_exhausted = retryable_status(status);
        return response;
    }
}

HttpClient::HttpClient(std::vector<HostRule> allowed_hosts, HttpLimits limits)
    : impl_(std::make_unique<Impl>(std::move(allowed_hosts), std::move(limits))) {}

HttpClient::~HttpClient() = default;

void HttpClient::set_rate_limit(double requests_per_second, double burst) {
    impl_->pacing = requests_per_second > 0 ? std::make_unique<TokenBucket>(requests_per_second, burst) : nullptr;
}

HttpResponse HttpClient::perform(const HttpRequest& request) { return impl_->perform(request); }

const std::vector<HttpAttempt>& HttpClient::attempts() const { return impl_->attempts; }

long HttpClient::connections_opened() const { return impl_->connections; }

}  // namespace crm
