// What the API functions need from the database: a source's kind and config
// (read as the caller, so table privileges apply), the secret it names (read
// as the owner of crm.secret, which no other role may read), and the HTTP
// limits of the crm.* settings.
#pragma once

#include <string>
#include <vector>

#include "core/url_policy.hpp"

namespace crm::pg {

struct SourceDefinition {
    std::string name;
    std::string kind;
    std::string config_json;
};

// Throws crm::Error 42704 when there is no such source.
SourceDefinition load_source(const std::string& name);

// The value of secret `name`, or "" when it is not set. Callers must not put
// it in any message. `name` may be empty (a source without authentication).
std::string read_secret(const std::string& name);
bool secret_exists(const std::string& name);

// crm.allowed_hosts, parsed.
std::vector<crm::HostRule> allowed_host_rules();

}  // namespace crm::pg
