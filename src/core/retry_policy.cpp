#include "core/retry_policy.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <curl/curl.h>

#include "core/ascii.hpp"
#include "core/interrupt.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

// Vendor reset headers above this are epoch seconds (2001-09-09 onwards), below it delays.
constexpr double kEpochThreshold = 1e9;
constexpr double kSleepSliceS = 0.05;

// Digits with an optional fraction, nothing else: strtod alone would also take
// "inf", "0x10" or "1e9", which no server means.
std::optional<double> plain_number(std::string_view text) {
    text = trim_blanks(text);
    std::size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    auto digits = [](std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; };
    if (whole.empty() || !digits(whole) || !digits(fraction) || (dot != std::string_view::npos && fraction.empty()))
        return std::nullopt;
    return std::strtod(std::string(text).c_str(), nullptr);
}

class SteadyClock final : public Clock {
public:
    double now_s() override {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
    void sleep_s(double seconds) override { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); }
};

}  // namespace

bool retryable_status(long status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<double> parse_retry_after(std::string_view value, double now_epoch_s) {
    if (std::optional<double> seconds = plain_number(value)) return seconds;
    std::string date(trim_blanks(value));
    if (date.empty()) return std::nullopt;
    time_t when = curl_getdate(date.c_str(), nullptr);
    if (when == -1) return std::nullopt;
    return static_cast<double>(when) - now_epoch_s;
}

std::optional<double> parse_reset_seconds(std::string_view value, double now_epoch_s) {
    std::optional<double> number = plain_number(value);
    if (number && *number > kEpochThreshold) return *number - now_epoch_s;
    return number;
}

RetryWait retry_wait(const RetryHeaders& headers, int attempt, const BackoffSettings& settings, double now_epoch_s,
                     const std::function<double()>& uniform01) {
    const double max_wait = std::max(0.0, settings.max_wait_s);
    auto asked = [&](const char* name, std::optional<double> seconds) {
        RetryWait wait;
        wait.seconds = std::clamp(*seconds, 0.0, max_wait);
        wait.reason = std::string(name) + " " + format_seconds(std::max(0.0, *seconds));
        if (*seconds > max_wait) wait.reason += ", clamped to " + format_seconds(max_wait);
        return wait;
    };
    if (auto seconds = parse_retry_after(headers.retry_after, now_epoch_s)) return asked("Retry-After", seconds);
    if (auto seconds = parse_reset_seconds(headers.sib_ratelimit_reset, now_epoch_s))
        return asked("x-sib-ratelimit-reset", seconds);
    if (auto seconds = parse_reset_seconds(headers.ratelimit_reset, now_epoch_s))
        return asked("ratelimit-reset", seconds);
    // Full jitter: clients that failed together do not come back together.
    double ceiling_s = settings.base_ms / 1000.0 * std::ldexp(1.0, std::clamp(attempt, 1, 62) - 1);
    RetryWait wait;
    wait.seconds = std::clamp(uniform01() * std::min(ceiling_s, max_wait), 0.0, max_wait);
    wait.reason = "backoff " + format_seconds(wait.seconds);
    return wait;
}

std::string format_seconds(double seconds) {
    char text[32];
    if (seconds >= 10 || seconds == std::floor(seconds)) std::snprintf(text, sizeof text, "%.0f s", seconds);
    else std::snprintf(text, sizeof text, "%.2g s", seconds);
    return text;
}

Clock& steady_clock() {
    static SteadyClock clock;
    return clock;
}

void interruptible_sleep(double seconds, Clock& clock) {
    const double until = clock.now_s() + seconds;
    for (;;) {
        check_interrupts();
        double left = until - clock.now_s();
        if (left <= 0) return;
        clock.sleep_s(std::min(left, kSleepSliceS));
    }
}

TokenBucket::TokenBucket(double requests_per_second, double burst, Clock& clock)
    : rate_(std::max(0.0, requests_per_second)),
      burst_(std::max(1.0, burst)),
      tokens_(burst_),
      last_refill_s_(clock.now_s()),
      clock_(clock) {}

double TokenBucket::acquire() {
    if (rate_ <= 0) return 0;
    const double started = clock_.now_s();
    for (;;) {
        double now = clock_.now_s();
        tokens_ = std::min(burst_, tokens_ + (now - last_refill_s_) * rate_);
        last_refill_s_ = now;
        if (tokens_ >= 1) {
            tokens_ -= 1;
            return now - started;
        }
        interruptible_sleep((1 - tokens_) / rate_, clock_);
    }
}

}  // namespace crm
