// The pure parts of the HTTP client's politeness: which answers deserve a
// retry, how long to wait before it (what the server asked for, clamped, or
// exponential backoff with full jitter), and a token bucket that paces
// requests below a vendor's rate limit. No sockets here, and every clock and
// random source is injectable, so that the unit tests need not sleep.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace crm {

// 429, 500, 502, 503, 504: the server may answer differently in a moment.
bool retryable_status(long status);

// The response headers that say when to come back, as the server wrote them
// (empty when absent).
struct RetryHeaders {
    std::string retry_after;           // "Retry-After": seconds or an HTTP-date (RFC 9110)
    std::string sib_ratelimit_reset;   // Brevo's "x-sib-ratelimit-reset": seconds
    std::string ratelimit_reset;       // Pennylane's "ratelimit-reset": epoch seconds (or seconds when small)
};

// Seconds from `now_epoch_s` until the time a Retry-After value names;
// negative for a date in the past; nullopt when the value is neither form.
std::optional<double> parse_retry_after(std::string_view value, double now_epoch_s);

// Seconds until a vendor reset header's moment: values above 1e9 are epoch
// seconds, smaller ones a delay. nullopt when not a number.
std::optional<double> parse_reset_seconds(std::string_view value, double now_epoch_s);

struct RetryWait {
    double seconds = 0;
    std::string reason;  // what it came from, for HttpAttempt::retry_reason: "Retry-After 1 s", "backoff 0.3 s"
};

struct BackoffSettings {
    double base_ms = 250;      // the first retry waits up to this long, each next one up to twice as long
    double max_wait_s = 60;    // no wait, asked for or computed, is longer
};

// The wait before retrying after failed attempt number `attempt` (1-based):
// Retry-After, else x-sib-ratelimit-reset, else ratelimit-reset, else
// uniform01() * min(max_wait, base * 2^(attempt-1)). Always in [0, max_wait_s];
// a moment in the past means no wait.
RetryWait retry_wait(const RetryHeaders& headers, int attempt, const BackoffSettings& settings, double now_epoch_s,
                     const std::function<double()>& uniform01);

// "1 s", "1.5 s", "0.25 s": short, for messages and summaries.
std::string format_seconds(double seconds);

// Monotonic time and sleeping, replaceable in tests.
class Clock {
public:
    virtual ~Clock() = default;
    virtual double now_s() = 0;
    virtual void sleep_s(double seconds) = 0;
};

// The process's steady clock and real sleeps.
Clock& steady_clock();

// Sleeps `seconds` in slices of at most 50 ms, checking for a cancel before
// each slice: throws crm::Cancelled, so a backend never sleeps through one.
void interruptible_sleep(double seconds, Clock& clock);

// Paces requests at `requests_per_second` on average, allowing `burst` at
// once after a quiet period. It starts full. A rate of 0 means no limit.
class TokenBucket {
public:
    TokenBucket(double requests_per_second, double burst, Clock& clock = steady_clock());

    // Takes one token, sleeping (interruptibly) until there is one.
    // Returns the seconds it waited. Throws crm::Cancelled.
    double acquire();

private:
    double rate_;
    double burst_;
    double tokens_;
    double last_refill_s_;
    Clock& clock_;
};

}  // namespace crm
