// Which URLs pg_crm may fetch (the SSRF defence of the API readers, in two
// layers):
//  1. before a request: the URL is parsed by libcurl's URL API, its scheme
//     must be https (or http where the allow-list entry says so) and its host
//     and port must be named by the superuser-only allow-list
//     crm.allowed_hosts ("api.brevo.com, http://127.0.0.1:18080");
//  2. when connecting (libcurl's open-socket callback): the *resolved*
//     address must not be loopback, private, link-local (the cloud metadata
//     address 169.254.169.254), unspecified, multicast or reserved — unless
//     the allow-list entry that matched names that very address literally.
// So 127.1, 2130706433, 0x7f.1, [::ffff:127.0.0.1] or a DNS name that
// resolves inward cannot reach the inside unless an admin said so.
#pragma once

#include <string>
#include <string_view>
#include <sys/socket.h>
#include <vector>

namespace crm {

struct HostRule {
    std::string host;  // lower case; an IP literal without brackets
    int port = 0;      // 0: the scheme's default port (443, or 80 for plain http)
    bool allow_http = false;
};

// "api.brevo.com, http://127.0.0.1:18080, app.pennylane.com:443" -> rules;
// throws crm::Error (22023) on an entry that is not host[:port] or http(s)://host[:port].
std::vector<HostRule> parse_allowed_hosts(std::string_view setting);

struct CheckedUrl {
    std::string url;     // as libcurl normalised it
    std::string scheme;  // "https" or "http"
    std::string host;    // lower case, no brackets
    int port = 0;
    const HostRule* rule = nullptr;  // the allow-list entry that admits it
};

// Layer 1. Throws crm::Error: 22023 for a URL that does not parse or has
// credentials, 42501 for a host, port or scheme the allow-list does not admit.
CheckedUrl check_url(std::string_view url, const std::vector<HostRule>& rules);

enum class AddressClass { Public, Loopback, Private, LinkLocal, Unspecified, Multicast, Reserved };
AddressClass classify_address(const sockaddr* address);
const char* address_class_name(AddressClass c);

// Layer 2: may a connection to `address` go ahead for a URL admitted by `rule`?
bool address_allowed(const sockaddr* address, const HostRule& rule);

}  // namespace crm
