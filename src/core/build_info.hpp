// What this build is made of: shown by crm_build_info() so an admin can see
// in psql which library versions and compiler the running server loaded.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace crm {

inline constexpr const char* kVersion = "0.1";

// Ordered (key, value) pairs; values are plain strings.
std::vector<std::pair<std::string, std::string>> build_info();

}  // namespace crm
