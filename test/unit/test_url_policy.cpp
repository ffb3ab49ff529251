#include <cstdio>
#include <iterator>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>

#include "core/error.hpp"
#include "core/url_policy.hpp"

namespace {

std::string outcome(const std::string& url, const std::vector<crm::HostRule>& rules) {
    try {
        crm::CheckedUrl u = crm::check_url(url, rules);
        return "ok " + u.scheme + "://" + u.host + ":" + std::to_string(u.port);
    } catch (const crm::Error& e) {
        return e.sqlstate();
    }
}

sockaddr_storage address(const char* text) {
    sockaddr_storage s{};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&s);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&s);
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
    } else {
        EXPECT_EQ(inet_pton(AF_INET6, text, &v6->sin6_addr), 1) << text;
        v6->sin6_family = AF_INET6;
    }
    return s;
}

const char* klass(const char* text) {
    sockaddr_storage s = address(text);
    return crm::address_class_name(crm::classify_address(reinterpret_cast<sockaddr*>(&s)));
}

}  // namespace

TEST(AllowedHosts, ParsesHostsPortsAndPlainHttpEntries) {
    auto rules = crm::parse_allowed_hosts(" api.brevo.com, http://127.0.0.1:18080 ,APP.Pennylane.com:443, http://[::1]:9000/");
    ASSERT_EQ(rules.size(), 4u);
    EXPECT_EQ(rules[0].host, "api.brevo.com");
    EXPECT_EQ(rules[0].port, 0);
    EXPECT_FALSE(rules[0].allow_http);
    EXPECT_EQ(rules[1].host, "127.0.0.1");
    EXPECT_EQ(rules[1].port, 18080);
    EXPECT_TRUE(rules[1].allow_http);
    EXPECT_EQ(rules[2].host, "app.pennylane.com");
    EXPECT_EQ(rules[2].port, 443);
    EXPECT_EQ(rules[3].host, "::1");
    for (auto bad : {"http://", "host:99999", "a/b", "user@host", "[::1", "host:x"})
        EXPECT_THROW(crm::parse_allowed_hosts(bad), crm::Error) << bad;
    EXPECT_TRUE(crm::parse_allowed_hosts("").empty());
}

TEST(CheckUrl, AdmitsOnlyListedHostsPortsAndSchemes) {
    auto rules = crm::parse_allowed_hosts("api.brevo.com, http://127.0.0.1:18080");
    EXPECT_EQ(outcome("https://api.brevo.com/v3/contacts?limit=500", rules), "ok https://api.brevo.com:443");
    EXPECT_EQ(outcome("https://API.Brevo.COM/v3/contacts", rules), "ok https://api.brevo.com:443");
    EXPECT_EQ(outcome("http://127.0.0.1:18080/jsonrpc", rules), "ok http://127.0.0.1:18080");
    EXPECT_EQ(outcome("http://api.brevo.com/v3/contacts", rules), "42501");  // plain http not allowed there
    EXPECT_EQ(outcome("http://127.0.0.1:18081/", rules), "42501");          // another port
    EXPECT_EQ(outcome("https://user:pw@api.brevo.com/", rules), "22023");    // credentials in a URL
    EXPECT_EQ(outcome("https://api.brevo.com/\r\nX-Injected: 1", rules), "22023");
    EXPECT_EQ(outcome("not a url", rules), "22023");
}

TEST(CheckUrl, RefusesTwentySsrfSpellingsWhenOnlyAPublicApiIsAllowed) {
    auto rules = crm::parse_allowed_hosts("api.brevo.com");
    const char* attempts[] = {
        "http://127.0.0.1/",           "http://127.1/",                      "http://2130706433/",
        "http://0x7f.1/",              "http://0x7f000001/",                 "http://0177.0.0.1/",
        "http://127.000.000.001/",     "http://[::1]/",                      "http://[::ffff:127.0.0.1]/",
        "http://[0:0:0:0:0:ffff:7f00:1]/", "http://localhost/",              "http://LOCALHOST./",
        "http://0.0.0.0/",             "http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/",
        "http://10.0.0.1/",            "http://192.168.1.1/",                "http://172.16.0.1/",
        "http://[fe80::1]/",           "http://[fc00::1]/",                  "https://api.brevo.com.evil.example/",
        "https://api.brevo.com@evil.example/", "https://evil.example#@api.brevo.com/", "file:///etc/passwd",
        "gopher://api.brevo.com/",     "dict://api.brevo.com:11211/",        "ftp://api.brevo.com/",
        "https://api.brevo.com:8443/", "http://api.brevo.com/",
    };
    int refused = 0;
    for (const char* url : attempts) {
        std::string result = outcome(url, rules);
        EXPECT_NE(result.substr(0, 2), "ok") << url << " was admitted: " << result;
        refused += result.substr(0, 2) != "ok";
    }
    EXPECT_GE(refused, 20);
    // For test/reliability/run's table.
    std::printf("# figures: inputs=%zu events=0\n", std::size(attempts));
}

TEST(AddressClass, InwardRangesAreRecognisedInEverySpelling) {
    EXPECT_STREQ(klass("127.0.0.1"), "loopback");
    EXPECT_STREQ(klass("127.255.1.2"), "loopback");
    EXPECT_STREQ(klass("10.1.2.3"), "private");
    EXPECT_STREQ(klass("172.16.0.1"), "private");
    EXPECT_STREQ(klass("172.31.255.255"), "private");
    EXPECT_STREQ(klass("172.32.0.1"), "public");
    EXPECT_STREQ(klass("192.168.1.1"), "private");
    EXPECT_STREQ(klass("100.64.0.1"), "private");
    EXPECT_STREQ(klass("169.254.169.254"), "link-local");
    EXPECT_STREQ(klass("0.0.0.0"), "unspecified");
    EXPECT_STREQ(klass("224.0.0.1"), "multicast");
    EXPECT_STREQ(klass("8.8.8.8"), "public");
    EXPECT_STREQ(klass("::1"), "loopback");
    EXPECT_STREQ(klass("::"), "unspecified");
    EXPECT_STREQ(klass("::ffff:127.0.0.1"), "loopback");
    EXPECT_STREQ(klass("::ffff:169.254.169.254"), "link-local");
    EXPECT_STREQ(klass("fe80::1"), "link-local");
    EXPECT_STREQ(klass("fd12:3456::1"), "private");
    EXPECT_STREQ(klass("ff02::1"), "multicast");
    EXPECT_STREQ(klass("2001:db8::1"), "reserved");
    EXPECT_STREQ(klass("2a00:1450:4007::1"), "public");
}

TEST(AddressAllowed, InwardOnlyWhenTheAdminNamedThatAddress) {
    auto rules = crm::parse_allowed_hosts("api.example.com, http://127.0.0.1:18080");
    sockaddr_storage loopback = address("127.0.0.1"), public_ip = address("93.184.216.34"),
                     metadata = address("169.254.169.254");
    auto* lo = reinterpret_cast<sockaddr*>(&loopback);
    // A public name that resolves inward (DNS rebinding, *.nip.io) is refused at connect time.
    EXPECT_FALSE(crm::address_allowed(lo, rules[0]));
    EXPECT_FALSE(crm::address_allowed(reinterpret_cast<sockaddr*>(&metadata), rules[0]));
    EXPECT_TRUE(crm::address_allowed(reinterpret_cast<sockaddr*>(&public_ip), rules[0]));
    // The mock server the admin listed explicitly.
    EXPECT_TRUE(crm::address_allowed(lo, rules[1]));
}
