#include "core/url_policy.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <memory>
#include <netinet/in.h>

#include <curl/curl.h>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

[[noreturn]] void refuse(const std::string& what) {
    throw Error(sqlstate::kInsufficientPrivilege, what, "",
                "A superuser lists the hosts pg_crm may reach in crm.allowed_hosts.");
}

// A libcurl URL handle, freed on every path.
using UrlHandle = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;

std::string part(CURLU* url, CURLUPart which) {
    char* value = nullptr;
    if (curl_url_get(url, which, &value, 0) != CURLUE_OK || value == nullptr) return {};
    std::string out(value);
    curl_free(value);
    return out;
}

std::string unbracket(std::string host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return to_lower_ascii(host);
}

// A parsed address equal to the rule's host written as an IP literal.
bool same_literal(const sockaddr* address, const std::string& host) {
    if (address->sa_family == AF_INET) {
        in_addr literal;
        return inet_pton(AF_INET, host.c_str(), &literal) == 1 &&
               std::memcmp(&literal, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, sizeof literal) == 0;
    }
    if (address->sa_family == AF_INET6) {
        in6_addr literal;
        return inet_pton(AF_INET6, host.c_str(), &literal) == 1 &&
               std::memcmp(&literal, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, sizeof literal) == 0;
    }
    return false;
}

AddressClass classify_v4(std::uint32_t a) {  // host byte order
    auto in = [&](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
    if (in(0x7F000000, 8)) return AddressClass::Loopback;
    if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0x64400000, 10))
        return AddressClass::Private;  // 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT)
    if (in(0xA9FE0000, 16)) return AddressClass::LinkLocal;  // 169.254/16, the cloud metadata address among them
    if (in(0x00000000, 8)) return AddressClass::Unspecified;
    if (in(0xE0000000, 4)) return AddressClass::Multicast;
    if (in(0xF0000000, 4) || in(0xC0000000, 24) || in(0xC6120000, 15)) return AddressClass::Reserved;
    return AddressClass::Public;
}

}  // namespace

std::vector<HostRule> parse_allowed_hosts(std::string_view setting) {
    std::vector<HostRule> rules;
    while (!setting.empty()) {
        size_t comma = setting.find(',');
        std::string_view entry = trim_blanks(setting.substr(0, comma));
        setting = comma == std::string_view::npos ? std::string_view() : setting.substr(comma + 1);
        if (entry.empty()) continue;
        HostRule rule;
        std::string_view rest = entry;
        if (rest.substr(0, 7) == "http://") {
            rule.allow_http = true;
            rest.remove_prefix(7);
        } else if (rest.substr(0, 8) == "https://") {
            rest.remove_prefix(8);
        }
        while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
        std::string_view host = rest;
        if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
            size_t close = rest.find(']');
            if (close == std::string_view::npos) host = {};
            else {
                host = rest.substr(1, close - 1);
                rest.remove_prefix(close + 1);
                if (!rest.empty() && rest.front() != ':') host = {};
            }
        } else {
            size_t colon = rest.rfind(':');
            host = rest.substr(0, colon);
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon);
        }
        if (!rest.empty() && rest.front() == ':') {
            std::string digits(rest.substr(1));
            rule.port = digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos
                            ? -1
                            : std::stoi(digits);
        }
        if (host.empty() || host.find_first_of("/@?# ") != std::string_view::npos || rule.port < 0 || rule.port > 65535)
            throw Error(sqlstate::kInvalidParameterValue,
                        "invalid entry \"" + std::string(entry) + "\" in crm.allowed_hosts",
                        "", "Entries are host[:port], or http://host:port to allow plain http.");
        rule.host = to_lower_ascii(host);
        rules.push_back(std::move(rule));
    }
    return rules;
}

CheckedUrl check_url(std::string_view text, const std::vector<HostRule>& rules) {
    UrlHandle url(curl_url(), &curl_url_cleanup);
    if (!url) throw std::bad_alloc();
    std::string input(text);
    if (input.find_first_of("\r\n") != std::string::npos || input.find('\0') != std::string::npos ||
        curl_url_set(url.get(), CURLUPART_URL, input.c_str(), 0) != CURLUE_OK)
        throw Error(sqlstate::kInvalidParameterValue, "invalid URL \"" + input.substr(0, 200) + "\"");
    CheckedUrl out;
    out.scheme = to_lower_ascii(part(url.get(), CURLUPART_SCHEME));
    out.host = unbracket(part(url.get(), CURLUPART_HOST));
    if (!part(url.get(), CURLUPART_USER).empty() || !part(url.get(), CURLUPART_PASSWORD).empty())
        throw Error(sqlstate::kInvalidParameterValue, "URLs with credentials are refused: put them in a secret");
    std::string port = part(url.get(), CURLUPART_PORT);
    out.port = port.empty() ? (out.scheme == "http" ? 80 : 443) : std::stoi(port);
    out.url = part(url.get(), CURLUPART_URL);
    if (out.scheme != "https" && out.scheme != "http")
        refuse("pg_crm may not fetch " + out.scheme + ":// URLs (only https, and http where allowed)");
    for (const HostRule& rule : rules) {
        int port = rule.port != 0 ? rule.port : (out.scheme == "http" ? 80 : 443);
        if (rule.host != out.host || port != out.port) continue;
        if (out.scheme == "http" && !rule.allow_http) continue;
        out.rule = &rule;
        return out;
    }
    refuse("pg_crm may not fetch " + out.scheme + "://" + out.host + ":" + std::to_string(out.port) +
           " (not in crm.allowed_hosts" + (out.scheme == "http" ? ", or not allowed over plain http)" : ")"));
}

AddressClass classify_address(const sockaddr* address) {
    if (address->sa_family == AF_INET)
        return classify_v4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
    if (address->sa_family != AF_INET6) return AddressClass::Reserved;
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    const unsigned char* b = a.s6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {  // ::ffff:127.0.0.1 is 127.0.0.1
        std::uint32_t v4 = (std::uint32_t(b[12]) << 24) | (std::uint32_t(b[13]) << 16) | (std::uint32_t(b[14]) << 8) | b[15];
        if (IN6_IS_ADDR_V4COMPAT(&a) && v4 <= 1) return v4 == 1 ? AddressClass::Loopback : AddressClass::Unspecified;
        return classify_v4(v4);
    }
    if (IN6_IS_ADDR_LOOPBACK(&a)) return AddressClass::Loopback;
    if (IN6_IS_ADDR_UNSPECIFIED(&a)) return AddressClass::Unspecified;
    if (IN6_IS_ADDR_LINKLOCAL(&a)) return AddressClass::LinkLocal;
    if ((b[0] & 0xFE) == 0xFC || IN6_IS_ADDR_SITELOCAL(&a)) return AddressClass::Private;  // fc00::/7
    if (IN6_IS_ADDR_MULTICAST(&a)) return AddressClass::Multicast;
    if (b[0] == 0x00 || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) || b[0] == 0x01)
        return AddressClass::Reserved;  // ::/8 others, 2001:db8::/32 documentation, 100::/8 discard
    return AddressClass::Public;
}

const char* address_class_name(AddressClass c) {
    switch (c) {
        case AddressClass::Public: return "public";
        case AddressClass::Loopback: return "loopback";
        case AddressClass::Private: return "private";
        case AddressClass::LinkLocal: return "link-local";
        case AddressClass::Unspecified: return "unspecified";
        case AddressClass::Multicast: return "multicast";
        case AddressClass::Reserved: return "reserved";
    }
    return "reserved";
}

bool address_allowed(const sockaddr* address, const HostRule& rule) {
    if (classify_address(address) == AddressClass::Public) return true;
    // Inward addresses only when the admin wrote that very address.
    return same_literal(address, rule.host);
}

}  // namespace crm
