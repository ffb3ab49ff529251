#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/retry_policy.hpp"

namespace {

// Time that moves only when someone sleeps: the tests run instantly.
class FakeClock final : public crm::Clock {
public:
    double now_s() override { return now; }
    void sleep_s(double seconds) override {
        longest_sleep = std::max(longest_sleep, seconds);
        now += seconds;
        ++sleeps;
    }
    double now = 1000;
    double longest_sleep = 0;
    int sleeps = 0;
};

constexpr double kDateEpoch = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT

crm::RetryWait wait_for(const crm::RetryHeaders& headers, int attempt = 1, double jitter = 0.5) {
    crm::BackoffSettings settings;
    settings.base_ms = 200;
    settings.max_wait_s = 5;
    return crm::retry_wait(headers, attempt, settings, kDateEpoch, [&] { return jitter; });
}

std::atomic<bool> g_cancel{false};
bool cancel_probe() noexcept { return g_cancel.load(); }

}  // namespace

TEST(RetryPolicy, RetriesRateLimitsAndServerErrorsOnly) {
    for (long status : {429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(crm::retryable_status(status)) << status;
    for (long status : {200L, 204L, 301L, 400L, 401L, 403L, 404L, 422L, 501L, 505L})
        EXPECT_FALSE(crm::retryable_status(status)) << status;
}

TEST(RetryPolicy, RetryAfterIsSecondsOrAnHttpDate) {
    EXPECT_EQ(crm::parse_retry_after("1", kDateEpoch), 1.0);
    EXPECT_EQ(crm::parse_retry_after(" 120 ", kDateEpoch), 120.0);
    EXPECT_EQ(crm::parse_retry_after("1.5", kDateEpoch), 1.5);
    EXPECT_EQ(crm::parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", kDateEpoch), 10.0);
    EXPECT_EQ(crm::parse_retry_after("Wed, 21 Oct 2015 06:28:00 GMT", kDateEpoch), -3600.0);
    for (const char* junk : {"", "  ", "soon", "-1", "0x10", "1e3", "inf", "1.", ".5", "12abc"})
        EXPECT_FALSE(crm::parse_retry_after(junk, kDateEpoch).has_value()) << junk;
}

TEST(RetryPolicy, ResetHeadersAreDelaysOrEpochSeconds) {
    EXPECT_EQ(crm::parse_reset_seconds("1", kDateEpoch), 1.0);
    EXPECT_EQ(crm::parse_reset_seconds("1445412485", kDateEpoch), 5.0);
    EXPECT_EQ(crm::parse_reset_seconds("1445412470", kDateEpoch), -10.0);
    EXPECT_FALSE(crm::parse_reset_seconds("tomorrow", kDateEpoch).has_value());
}

TEST(RetryPolicy, ServerHintsComeFirstInOrderAndAreClamped) {
    crm::RetryHeaders all;
    all.retry_after = "2";
    all.sib_ratelimit_reset = "3";
    all.ratelimit_reset = "1445412484";
    crm::RetryWait wait = wait_for(all);
    EXPECT_EQ(wait.seconds, 2.0);
    EXPECT_EQ(wait.reason, "Retry-After 2 s");

    all.retry_after.clear();
    EXPECT_EQ(wait_for(all).seconds, 3.0);
    EXPECT_EQ(wait_for(all).reason, "x-sib-ratelimit-reset 3 s");

    all.sib_ratelimit_reset = "not a number";
    EXPECT_EQ(wait_for(all).seconds, 4.0);
    EXPECT_EQ(wait_for(all).reason, "ratelimit-reset 4 s");

    crm::RetryHeaders huge;
    huge.retry_after = "86400";
    EXPECT_EQ(wait_for(huge).seconds, 5.0);
    EXPECT_EQ(wait_for(huge).reason, "Retry-After 86400 s, clamped to 5 s");

    crm::RetryHeaders past;
    past.retry_after = "Wed, 21 Oct 2015 06:28:00 GMT";
    EXPECT_EQ(wait_for(past).seconds, 0.0);
    EXPECT_EQ(wait_for(past).reason, "Retry-After 0 s");
}

TEST(RetryPolicy, BackoffDoublesUnderFullJitterUpToTheClamp) {
    crm::RetryHeaders none;
    EXPECT_DOUBLE_EQ(wait_for(none, 1, 1.0).seconds, 0.2);
    EXPECT_DOUBLE_EQ(wait_for(none, 2, 1.0).seconds, 0.4);
    EXPECT_DOUBLE_EQ(wait_for(none, 4, 1.0).seconds, 1.6);
    EXPECT_DOUBLE_EQ(wait_for(none, 4, 0.5).seconds, 0.8);
    EXPECT_DOUBLE_EQ(wait_for(none, 6, 1.0).seconds, 5.0);  // 6.4 s clamped
    EXPECT_DOUBLE_EQ(wait_for(none, 1000, 1.0).seconds, 5.0);
    EXPECT_DOUBLE_EQ(wait_for(none, 3, 0.0).seconds, 0.0);
    EXPECT_EQ(wait_for(none, 1, 1.0).reason, "backoff 0.2 s");
}

TEST(RetryPolicy, SecondsAreFormattedShortly) {
    EXPECT_EQ(crm::format_seconds(1), "1 s");
    EXPECT_EQ(crm::format_seconds(1.5), "1.5 s");
    EXPECT_EQ(crm::format_seconds(0.25), "0.25 s");
    EXPECT_EQ(crm::format_seconds(86400), "86400 s");
}

TEST(InterruptibleSleep, SleepsInShortSlicesAndStopsOnCancel) {
    FakeClock clock;
    crm::interruptible_sleep(1.0, clock);
    EXPECT_DOUBLE_EQ(clock.now, 1001.0);
    EXPECT_LE(clock.longest_sleep, 0.05 + 1e-9);
    EXPECT_GE(clock.sleeps, 20);

    g_cancel = true;
    crm::set_interrupt_probe(&cancel_probe);
    EXPECT_THROW(crm::interruptible_sleep(10.0, clock), crm::Cancelled);
    EXPECT_DOUBLE_EQ(clock.now, 1001.0);
    crm::set_interrupt_probe(nullptr);
    g_cancel = false;
}

TEST(TokenBucket, AllowsTheBurstThenPacesAtTheRate) {
    FakeClock clock;
    crm::TokenBucket bucket(2, 3, clock);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.acquire(), 0.0);
    EXPECT_NEAR(bucket.acquire(), 0.5, 1e-9);
    EXPECT_NEAR(bucket.acquire(), 0.5, 1e-9);
    clock.now += 60;  // a long quiet period refills the burst, no more
    for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.acquire(), 0.0);
    EXPECT_NEAR(bucket.acquire(), 0.5, 1e-9);
    EXPECT_LE(clock.longest_sleep, 0.05 + 1e-9);
}

TEST(TokenBucket, RateZeroMeansNoLimit) {
    FakeClock clock;
    crm::TokenBucket bucket(0, 0, clock);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(bucket.acquire(), 0.0);
    EXPECT_EQ(clock.sleeps, 0);
}

TEST(TokenBucket, AWaitIsCancellable) {
    FakeClock clock;
    crm::TokenBucket bucket(0.01, 1, clock);
    bucket.acquire();
    g_cancel = true;
    crm::set_interrupt_probe(&cancel_probe);
    EXPECT_THROW(bucket.acquire(), crm::Cancelled);
    crm::set_interrupt_probe(nullptr);
    g_cancel = false;
}
