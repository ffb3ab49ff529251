// The HTTP client against the loopback mock of the vendor APIs
// (test/mock/api_server.py), one server per test suite.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/error.hpp"
#include "core/http_client.hpp"
#include "core/interrupt.hpp"

namespace {

const char* const kSecrets[] = {"odoo-secret-key-123", "penny-secret-token-456", "brevo-secret-key-789"};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

long peak_memory_kb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

void expect_no_secret(const std::string& text) {
    for (const char* secret : kSecrets) EXPECT_EQ(text.find(secret), std::string::npos) << "secret in: " << text;
}

// Runs `call`, which must throw crm::Error with `state`; returns it, after
// checking that no secret leaked into its message, detail or hint.
crm::Error expect_error(const std::function<void()>& call, const char* state) {
    try {
        call();
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), state) << e.what();
        expect_no_secret(e.what());
        expect_no_secret(e.detail());
        expect_no_secret(e.hint());
        return e;
    }
    ADD_FAILURE() << "no crm::Error " << state;
    return crm::Error("00000", "");
}

std::atomic<bool> g_cancel{false};
bool cancel_probe() noexcept { return g_cancel.load(); }

// Flips the cancel flag after a delay, from another thread, like a backend
// receiving a cancel request while the client waits.
class CancelLater {
public:
    explicit CancelLater(std::chrono::milliseconds delay) {
        g_cancel = false;
        crm::set_interrupt_probe(&cancel_probe);
        thread_ = std::thread([this, delay] {
            std::this_thread::sleep_for(delay);
            flipped_at_ = std::chrono::steady_clock::now();
            g_cancel = true;
        });
    }
    ~CancelLater() {
        if (thread_.joinable()) thread_.join();
        crm::set_interrupt_probe(nullptr);
        g_cancel = false;
    }
    double seconds_since_flip() {
        if (thread_.joinable()) thread_.join();
        return seconds_since(flipped_at_);
    }

private:
    std::thread thread_;
    std::chrono::steady_clock::time_point flipped_at_;
};

class HttpClientTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char directory[] = "/tmp/crm_http_test_XXXXXX";
        ASSERT_NE(mkdtemp(directory), nullptr);
        scratch_ = directory;
        const std::string port_file = scratch_ + "/port";
        server_ = fork();
        ASSERT_GE(server_, 0);
        if (server_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);  // no orphaned server if this test process dies
            execlp("python3", "python3", CRM_MOCK_SERVER, "--port", "0", "--port-file", port_file.c_str(),
                   static_cast<char*>(nullptr));
            _exit(127);
        }
        for (int i = 0; i < 200 && port_ == 0; ++i) {
            std::ifstream in(port_file);
            if (!(in >> port_)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ASSERT_NE(port_, 0) << "the mock server did not start";
    }

    static void TearDownTestSuite() {
        if (server_ > 0) {
            kill(server_, SIGTERM);
            waitpid(server_, nullptr, 0);
        }
        std::remove((scratch_ + "/port").c_str());
        rmdir(scratch_.c_str());
    }

    void SetUp() override {
        ASSERT_NE(port_, 0);
        crm::HttpClient control(rules(), crm::HttpLimits());
        ASSERT_EQ(control.perform(request("POST", "/_reset")).status, 200);
    }

    static std::string base() { return "http://127.0.0.1:" + std::to_string(port_); }
    static std::vector<crm::HostRule> rules() { return crm::parse_allowed_hosts(base()); }

    // Short waits so that the retry tests take seconds, not minutes.
    static crm::HttpLimits quick_limits() {
        crm::HttpLimits limits;
        limits.connect_timeout_ms = 2000;
        limits.timeout_ms = 10000;
        limits.low_speed_time_s = 2;
        limits.backoff_base_ms = 20;
        limits.max_retry_wait_s = 3;
        return limits;
    }

    static crm::HttpRequest request(const std::string& method, const std::string& path,
                                    std::vector<std::pair<std::string, std::string>> headers = {},
                                    std::string body = {}) {
        return crm::HttpRequest{method, base() + path, std::move(headers), std::move(body)};
    }
    static crm::HttpRequest brevo(const std::string& path) {
        return request("GET", path, {{"api-key", "brevo-secret-key-789"}});
    }
    static crm::HttpRequest pennylane(const std::string& path) {
        return request("GET", "/api/external/v2" + path, {{"Authorization", "Bearer penny-secret-token-456"}});
    }

    static std::string stats() {
        crm::HttpClient control(rules(), crm::HttpLimits());
        return control.perform(request("GET", "/_stats")).body;
    }

    static void expect_reasons_without_secrets(const crm::HttpClient& client) {
        for (const crm::HttpAttempt& attempt : client.attempts()) expect_no_secret(attempt.retry_reason);
    }

    static inline pid_t server_ = -1;
    static inline int port_ = 0;
    static inline std::string scratch_;
};

TEST_F(HttpClientTest, ReadsBrevoPagesOverOneKeptAliveConnection) {
    crm::HttpClient client(rules(), quick_limits());
    crm::HttpResponse first = client.perform(brevo("/v3/contacts?limit=100&offset=0&sort=asc"));
    crm::HttpResponse second = client.perform(brevo("/v3/contacts?limit=100&offset=100&sort=asc"));
    EXPECT_EQ(first.status, 200);
    EXPECT_EQ(second.status, 200);
    EXPECT_NE(first.body.find("\"count\":1200"), std::string::npos);
    EXPECT_NE(second.body.find("\"id\":101,"), std::string::npos);
    EXPECT_NE(first.content_type.find("application/json"), std::string::npos);
    EXPECT_GE(first.body.capacity(), first.body.size() + 64);
    EXPECT_FALSE(first.retries_exhausted);
    EXPECT_EQ(client.connections_opened(), 1);
    ASSERT_EQ(client.attempts().size(), 2u);
    EXPECT_EQ(client.attempts()[1].status, 200);
    EXPECT_EQ(client.attempts()[1].bytes, second.body.size());
    EXPECT_TRUE(client.attempts()[1].retry_reason.empty());
    // The key went as a header; the server saw its name (never logs its value).
    EXPECT_NE(stats().find("\"api-key\""), std::string::npos);
}

TEST_F(HttpClientTest, OdooErrorsArriveAsHttp200ForTheConnectorToJudge) {
    crm::HttpClient client(rules(), quick_limits());
    auto login = [&](const std::string& key) {
        return client.perform(request(
            "POST", "/jsonrpc", {{"Content-Type", "application/json"}},
            R"({"jsonrpc":"2.0","method":"call","id":1,"params":{"service":"common","method":"login","args":["cave","api@cave.fr",")" +
                key + R"("]}})"));
    };
    crm::HttpResponse good = login("odoo-secret-key-123");
    EXPECT_EQ(good.status, 200);
    EXPECT_NE(good.body.find("\"result\":7"), std::string::npos) << good.body;
    crm::HttpResponse bad = login("wrong-key");
    EXPECT_EQ(bad.status, 200);
    EXPECT_NE(bad.body.find("\"result\":false"), std::string::npos) << bad.body;
}

TEST_F(HttpClientTest, OddBodiesAreHandedBackForTheConnectorToJudge) {
    crm::HttpClient client(rules(), quick_limits());
    crm::HttpResponse empty = client.perform(brevo("/fault/204/v3/contacts"));
    EXPECT_EQ(empty.status, 204);
    EXPECT_TRUE(empty.body.empty());
    EXPECT_EQ(client.perform(brevo("/fault/wrong-shape/v3/contacts")).body, R"({"unexpected":true})");
    crm::HttpResponse truncated = client.perform(brevo("/fault/invalid-json/v3/contacts?limit=2"));
    EXPECT_EQ(truncated.status, 200);
    EXPECT_EQ(truncated.body.substr(0, 13), R"({"contacts":[)");
    EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpClientTest, WaitsForRetryAfterOn429) {
    crm::HttpClient client(rules(), quick_limits());
    auto start = std::chrono::steady_clock::now();
    crm::HttpResponse response = client.perform(brevo("/fault/429-retry-after/v3/contacts?limit=1"));
    EXPECT_EQ(response.status, 200);
    EXPECT_GE(seconds_since(start), 1.0);
    ASSERT_EQ(client.attempts().size(), 2u);
    EXPECT_EQ(client.attempts()[0].status, 429);
    EXPECT_EQ(client.attempts()[0].retry_reason, "HTTP 429 (Retry-After 1 s)");
    EXPECT_GE(client.attempts()[1].waited_ms, 1000);
    EXPECT_EQ(client.attempts()[1].attempt, 2);
}

TEST_F(HttpClientTest, WaitsForTheVendorResetHeaderWithoutRetryAfter) {
    crm::HttpClient client(rules(), quick_limits());
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(client.perform(brevo("/fault/429-reset-header/v3/contacts?limit=1")).status, 200);
    EXPECT_GE(seconds_since(start), 0.95);
    ASSERT_EQ(client.attempts().size(), 2u);
    EXPECT_EQ(client.attempts()[0].retry_reason, "HTTP 429 (x-sib-ratelimit-reset 1 s)");
}

TEST_F(HttpClientTest, ClampsAHugeRetryAfter) {
    crm::HttpLimits limits = quick_limits();
    limits.max_retry_wait_s = 1.5;
    crm::HttpClient client(rules(), limits);
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(client.perform(brevo("/fault/retry-after-huge/v3/contacts?limit=1")).status, 200);
    double elapsed = seconds_since(start);
    EXPECT_GE(elapsed, 1.45);
    EXPECT_LT(elapsed, 4.0);
    ASSERT_EQ(client.attempts().size(), 2u);
    EXPECT_EQ(client.attempts()[0].retry_reason, "HTTP 429 (Retry-After 86400 s, clamped to 1.5 s)");
}

TEST_F(HttpClientTest, ARetryAfterInThePastMeansNoWait) {
    crm::HttpClient client(rules(), quick_limits());
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(client.perform(brevo("/fault/retry-after-past/v3/contacts?limit=1")).status, 200);
    EXPECT_LT(seconds_since(start), 0.9);
    ASSERT_EQ(client.attempts().size(), 2u);
    EXPECT_EQ(client.attempts()[0].retry_reason, "HTTP 429 (Retry-After 0 s)");
}

TEST_F(HttpClientTest, RetriesServerErrorsUntilSuccess) {
    crm::HttpClient client(rules(), quick_limits());
    crm::HttpResponse response = client.perform(brevo("/fault/500x3/v3/contacts?limit=1"));
    EXPECT_EQ(response.status, 200);
    EXPECT_FALSE(response.retries_exhausted);
    ASSERT_EQ(client.attempts().size(), 4u);
    EXPECT_EQ(client.attempts()[0].status, 500);
    EXPECT_EQ(client.attempts()[1].status, 502);
    EXPECT_EQ(client.attempts()[2].status, 503);
    EXPECT_EQ(client.attempts()[0].retry_reason.rfind("HTTP 500 (backoff ", 0), 0u) << client.attempts()[0].retry_reason;
}

TEST_F(HttpClientTest, GivesUpAfterFiveRetriesAndFlagsTheLastAnswer) {
    crm::HttpClient client(rules(), quick_limits());
    auto start = std::chrono::steady_clock::now();
    crm::HttpResponse response = client.perform(brevo("/fault/500-forever/v3/contacts?limit=1"));
    EXPECT_LT(seconds_since(start), 3.0);  // at most 20+40+80+160+320 ms of backoff
    EXPECT_EQ(response.status, 500);
    EXPECT_TRUE(response.retries_exhausted);
    ASSERT_EQ(client.attempts().size(), 6u);
    EXPECT_TRUE(client.attempts().back().retry_reason.empty());
}

TEST_F(HttpClientTest, AbortsAStalledBody) {
    crm::HttpLimits limits = quick_limits();
    limits.low_speed_time_s = 1;
    limits.max_retries = 1;
    crm::HttpClient client(rules(), limits);
    auto start = std::chrono::steady_clock::now();
    crm::Error e = expect_error([&] { client.perform(brevo("/fault/stall/v3/contacts?limit=1")); },
                                crm::sqlstate::kConnectionFailure);
    EXPECT_LT(seconds_since(start), 5.0);
    EXPECT_EQ(std::string(e.what()),
              "no data from " + base() + "/fault/stall/v3/contacts for 1 s (under 16 bytes/s)");
    EXPECT_NE(e.detail().find("2 attempts"), std::string::npos) << e.detail();
    ASSERT_EQ(client.attempts().size(), 2u);
    EXPECT_EQ(client.attempts()[0].retry_reason.rfind("stalled", 0), 0u);
}

TEST_F(HttpClientTest, AbortsATrickleAtTheTotalTimeout) {
    crm::HttpLimits limits = quick_limits();
    limits.timeout_ms = 1500;
    limits.low_speed_bytes_per_s = 0;  // only the total timeout can stop it
    limits.max_retries = 0;
    crm::HttpClient client(rules(), limits);
    crm::Error e = expect_error([&] { client.perform(brevo("/fault/trickle/v3/contacts?limit=1")); },
                                crm::sqlstate::kConnectionFailure);
    EXPECT_NE(std::string(e.what()).find("timed out after 1500 ms"), std::string::npos) << e.what();
}

TEST_F(HttpClientTest, AShortBodyIsAConnectionFailure) {
    crm::HttpLimits limits = quick_limits();
    limits.max_retries = 2;
    crm::HttpClient client(rules(), limits);
    crm::Error e = expect_error([&] { client.perform(brevo("/fault/short-body/v3/contacts?limit=1")); },
                                crm::sqlstate::kConnectionFailure);
    EXPECT_NE(std::string(e.what()).find("closed before the whole body arrived"), std::string::npos) << e.what();
    EXPECT_EQ(client.attempts().size(), 3u);
}

TEST_F(HttpClientTest, ARefusedConnectionIsUnableToConnect) {
    crm::HttpLimits limits = quick_limits();
    limits.max_retries = 1;
    crm::HttpClient client(crm::parse_allowed_hosts("http://127.0.0.1:1"), limits);
    expect_error([&] { client.perform(crm::HttpRequest{"GET", "http://127.0.0.1:1/v3/contacts", {}, {}}); },
                 crm::sqlstate::kUnableToConnect);
    EXPECT_EQ(client.attempts().size(), 2u);
}

TEST_F(HttpClientTest, StopsAGzipBombAtTheBodyCap) {
    crm::HttpLimits limits = quick_limits();
    limits.max_body_bytes = 8u << 20;
    crm::HttpClient client(rules(), limits);
    const long peak_kb_before = peak_memory_kb();
    auto start = std::chrono::steady_clock::now();
    crm::Error e = expect_error([&] { client.perform(brevo("/fault/gzip-bomb/v3/contacts?limit=1")); },
                                crm::sqlstate::kProgramLimitExceeded);
    EXPECT_LT(seconds_since(start), 5.0);
    // 1 GiB once inflated; the client holds at most the cap (and a string's doubling) of it.
    EXPECT_LT(peak_memory_kb() - peak_kb_before, 48 * 1024);
    EXPECT_EQ(std::string(e.what()),
              "response of " + base() + "/fault/gzip-bomb/v3/contacts exceeds 8 MB (crm.max_response_size)");
    ASSERT_EQ(client.attempts().size(), 1u) << client.attempts()[0].retry_reason;
    EXPECT_LE(client.attempts()[0].bytes, 8u << 20);
}

TEST_F(HttpClientTest, FollowsARedirectWithinTheSameHost) {
    crm::HttpClient client(rules(), quick_limits());
    crm::HttpResponse response = client.perform(brevo("/fault/redirect-same-host/v3/contacts?limit=2&offset=0"));
    EXPECT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("\"count\":1200"), std::string::npos);
    ASSERT_EQ(client.attempts().size(), 2u);
    EXPECT_EQ(client.attempts()[0].retry_reason, "HTTP 302 redirect");
}

TEST_F(HttpClientTest, FollowsAtMostThreeRedirects) {
    crm::HttpClient client(rules(), quick_limits());
    std::string path = "/v3/contacts";
    for (int i = 0; i < 4; ++i) path = "/fault/redirect-same-host" + path;  // each answer strips one prefix
    crm::Error e = expect_error([&] { client.perform(brevo(path)); }, crm::sqlstate::kProtocolViolation);
    EXPECT_EQ(std::string(e.what()).rfind("more than 3 redirects from ", 0), 0u) << e.what();
    EXPECT_EQ(client.attempts().size(), 4u);
    EXPECT_EQ(client.perform(brevo(path.substr(std::string("/fault/redirect-same-host").size()))).status, 200);
}

TEST_F(HttpClientTest, RefusesRedirectsThatLeaveTheHost) {
    const std::string origin = "127.0.0.1:" + std::to_string(port_);
    const std::pair<const char*, std::string> cases[] = {
        {"redirect-loopback2", "redirect to http://127.0.0.2:" + std::to_string(port_) + " refused"},
        {"redirect-metadata", "redirect to http://169.254.169.254:80 refused"},
        {"redirect-file", "redirect to file:// refused"},
    };
    for (const auto& [fault, message] : cases) {
        crm::HttpClient client(rules(), quick_limits());
        crm::Error e = expect_error([&] { client.perform(brevo(std::string("/fault/") + fault + "/v3/contacts")); },
                                    crm::sqlstate::kInsufficientPrivilege);
        EXPECT_EQ(std::string(e.what()), message + " (redirects may not leave " + origin + ")");
        EXPECT_EQ(client.attempts().size(), 1u) << fault;
    }
}

TEST_F(HttpClientTest, RefusesAddressesTheAllowListDoesNotName) {
    crm::HttpClient client(rules(), quick_limits());
    const std::string port = std::to_string(port_);
    for (const std::string& url : {"http://127.0.0.2:" + port + "/v3/contacts", "http://2130706434:" + port + "/",
                                   "http://localhost:" + port + "/", "http://127.0.0.1:" + std::to_string(port_ + 1) + "/"})
        expect_error([&] { client.perform(crm::HttpRequest{"GET", url, {}, {}}); },
                     crm::sqlstate::kInsufficientPrivilege);
    EXPECT_TRUE(client.attempts().empty());  // refused before any connection

    // 2130706433 is 127.0.0.1 spelled as one number: libcurl normalises it, so
    // it is the very address the allow-list names, and admitted.
    EXPECT_EQ(client.perform(crm::HttpRequest{"GET", "http://2130706433:" + port + "/v3/contacts", {}, {}}).status, 401);

    // A name admitted by the allow-list that resolves to loopback is refused when connecting.
    crm::HttpClient by_name(crm::parse_allowed_hosts("http://localhost:" + port), quick_limits());
    crm::Error e = expect_error([&] { by_name.perform(crm::HttpRequest{"GET", "http://localhost:" + port + "/", {}, {}}); },
                                crm::sqlstate::kInsufficientPrivilege);
    EXPECT_NE(std::string(e.what()).find("(loopback) of localhost refused"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("address ", 0), 0u) << e.what();
}

TEST_F(HttpClientTest, RefusesLineBreaksInHeaderValuesWithoutShowingThem) {
    crm::HttpClient client(rules(), quick_limits());
    crm::Error e = expect_error(
        [&] {
            client.perform(request("GET", "/v3/contacts", {{"api-key", "brevo-secret-key-789\r\nX-Injected: 1"}}));
        },
        crm::sqlstate::kInvalidParameterValue);
    EXPECT_NE(std::string(e.what()).find("\"api-key\""), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("X-Injected"), std::string::npos);
    expect_error([&] { client.perform(request("GET", "/", {{"Bad\nName", "x"}})); },
                 crm::sqlstate::kInvalidParameterValue);
    EXPECT_TRUE(client.attempts().empty());
}

TEST_F(HttpClientTest, ACancelStopsAStalledTransferWithinASecond) {
    crm::HttpClient client(rules(), quick_limits());
    CancelLater cancel(std::chrono::milliseconds(300));
    EXPECT_THROW(client.perform(brevo("/fault/stall/v3/contacts?limit=1")), crm::Cancelled);
    EXPECT_LT(cancel.seconds_since_flip(), 1.0);
}

TEST_F(HttpClientTest, ACancelStopsABackoffWait) {
    crm::HttpLimits limits = quick_limits();
    limits.backoff_base_ms = 60000;
    limits.max_retry_wait_s = 60;
    crm::HttpClient client(rules(), limits);
    // Jitter may make the first waits short: whichever wait or transfer is
    // under way when the cancel lands must stop.
    CancelLater cancel(std::chrono::milliseconds(300));
    EXPECT_THROW(client.perform(brevo("/fault/500-forever/v3/contacts?limit=1")), crm::Cancelled);
    EXPECT_LT(cancel.seconds_since_flip(), 1.0);
}

TEST_F(HttpClientTest, PacingKeepsPennylaneUnderItsRateLimit) {
    crm::HttpClient client(rules(), quick_limits());
    client.set_rate_limit(5, 25);
    for (int i = 0; i < 40; ++i) {
        crm::HttpResponse response = client.perform(pennylane("/customers?limit=1"));
        ASSERT_EQ(response.status, 200) << "request " << i;
    }
    ASSERT_EQ(client.attempts().size(), 40u);
    for (const crm::HttpAttempt& attempt : client.attempts()) EXPECT_EQ(attempt.status, 200);
    EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpClientTest, WithoutPacingPennylaneAnswers429WithRetryAfter) {
    crm::HttpLimits limits = quick_limits();
    limits.max_retries = 0;
    crm::HttpClient client(rules(), limits);
    bool limited = false;
    for (int i = 0; i < 60 && !limited; ++i) {
        crm::HttpResponse response = client.perform(pennylane("/customers?limit=1"));
        limited = response.status == 429;
        EXPECT_EQ(response.retries_exhausted, limited);
    }
    EXPECT_TRUE(limited);
    expect_reasons_without_secrets(client);
}

TEST_F(HttpClientTest, WrongCredentialsAreTheVendorsAnswers) {
    crm::HttpClient client(rules(), quick_limits());
    crm::HttpResponse brevo_answer = client.perform(request("GET", "/v3/contacts", {{"api-key", "nope"}}));
    EXPECT_EQ(brevo_answer.status, 401);
    EXPECT_NE(brevo_answer.body.find("Key not found"), std::string::npos);
    crm::HttpResponse pennylane_answer =
        client.perform(request("GET", "/api/external/v2/customers", {{"Authorization", "Bearer nope"}}));
    EXPECT_EQ(pennylane_answer.status, 401);
    EXPECT_FALSE(pennylane_answer.retries_exhausted);
    EXPECT_EQ(client.attempts().size(), 2u);
}

TEST(UrlForMessages, DropsQueryFragmentAndNothingElse) {
    EXPECT_EQ(crm::url_for_messages("https://api.brevo.com/v3/contacts?modifiedSince=2024#x"),
              "https://api.brevo.com:443/v3/contacts");
    EXPECT_EQ(crm::url_for_messages("http://127.0.0.1:8080/jsonrpc"), "http://127.0.0.1:8080/jsonrpc");
    EXPECT_EQ(crm::url_for_messages("::"), "(an invalid URL)");
}

}  // namespace
