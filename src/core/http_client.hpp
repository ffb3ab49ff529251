// The one HTTP client of the API connectors (libcurl underneath). It owns
// what every vendor call needs and no connector should redo: the SSRF policy
// (url_policy.hpp) before the request, at connect time and on redirects;
// timeouts that name the stalled URL; a cap on the decompressed body;
// retries with the server's Retry-After or a jittered backoff; client-side
// pacing; and prompt cancellation. Secrets travel in request headers and
// bodies only, never in an error, detail, hint or summary.
//
// Not thread-safe: one client per backend call, used from one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/http_types.hpp"
#include "core/retry_policy.hpp"
#include "core/url_policy.hpp"

namespace crm {

struct HttpLimits {
    long connect_timeout_ms = 10000;
    long timeout_ms = 60000;                  // total per attempt
    long low_speed_bytes_per_s = 16;          // abort when slower than this ...
    long low_speed_time_s = 20;               // ... for this long (stall / trickle)
    std::size_t max_body_bytes = 256u << 20;  // after decompression
    int max_retries = 5;
    double max_retry_wait_s = 60;             // clamp for Retry-After and vendor reset headers
    double backoff_base_ms = 250;             // exponential backoff with full jitter
    std::string ca_file;                      // empty: system CA store
};

class HttpClient {
public:
    HttpClient(std::vector<HostRule> allowed_hosts, HttpLimits limits);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Paces every attempt (retries and redirects included); 0 = no pacing.
    void set_rate_limit(double requests_per_second, double burst);

    // Sends with retries and returns the final response for any HTTP status
    // the caller must judge: 2xx, a non-retryable 4xx, or the last 429/5xx
    // once the retries are spent (then retries_exhausted is set). Redirects
    // are followed (at most 3) only within the same scheme, host and port.
    // Throws crm::Error: 22023 for a bad request (CR/LF in a header, an
    // unsupported method), 42501 for a URL, address or redirect the policy
    // refuses, 54000 for a body over max_body_bytes, 08001/08006/08P01 for
    // transport failures (after retries where they make sense); and
    // crm::Cancelled when the backend has a cancel pending.
    HttpResponse perform(const HttpRequest& request);

    // Every attempt since construction, for the call's summary.
    const std::vector<HttpAttempt>& attempts() const;

    // New connections opened since construction (keep-alive reuses one).
    long connections_opened() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "scheme://host:port/path" — a URL as error messages may show it: no query
// string, no fragment, no credentials.
std::string url_for_messages(const std::string& url);

}  // namespace crm
