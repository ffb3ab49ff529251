// libFuzzer target: the URL and host policy (crm.allowed_hosts entries and
// URLs) must answer or refuse any input, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "core/url_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string input(reinterpret_cast<const char*>(data), size);
    size_t split = input.find('\n');
    std::string setting = split == std::string::npos ? "api.brevo.com, http://127.0.0.1:18080" : input.substr(0, split);
    std::string url = split == std::string::npos ? input : input.substr(split + 1);
    try {
        auto rules = crm::parse_allowed_hosts(setting);
        crm::check_url(url, rules);
    } catch (const crm::Error&) {
    }
    return 0;
}
