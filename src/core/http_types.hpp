// What travels between the API connectors (which know each vendor's URLs,
// paging and errors) and the HTTP client (which knows timeouts, retries,
// rate limits and the SSRF policy). Neither side needs the other's header.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace crm {

struct HttpRequest {
    std::string method = "GET";  // GET or POST
    std::string url;             // absolute; checked against crm.allowed_hosts before any connection
    // Header values may hold secrets: they are never logged, never put in an
    // error message, and CR/LF in them is refused.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // POST body (JSON)
};

struct HttpResponse {
    long status = 0;
    std::string content_type;
    // The (decompressed) body. Its capacity is at least size() + 64 so that
    // simdjson can parse it in place (SIMDJSON_PADDING).
    std::string body;
    // A 429 or 5xx handed back because the retries ran out: the caller
    // reports it as the vendor's failure, not as data.
    bool retries_exhausted = false;
};

// One attempt of one request, for the per-call summary. Never headers,
// bodies or secrets.
struct HttpAttempt {
    int attempt = 1;             // 1 for the first try of a request
    long status = 0;             // 0 when no HTTP response arrived
    std::size_t bytes = 0;       // body bytes received (decompressed)
    double ms = 0;               // duration of the attempt
    double waited_ms = 0;        // rate-limit and backoff wait before it
    std::string retry_reason;    // why the next attempt was made ("HTTP 429", "timeout", ...); empty if none
};

}  // namespace crm
