// The file policies: crm.allowed_read_paths and crm.max_file_size for a path
// given to a reader, crm.allowed_write_paths for an export or a report.
#pragma once

#include <string>

#include "core/file_policy.hpp"

namespace crm::pg {

// crm.allowed_read_paths and crm.max_file_size as a policy.
crm::FilePolicy read_policy();

// Opens `path` for reading if the settings allow it; throws crm::Error.
crm::OpenFile open_allowed_file(const std::string& path);

// crm.allowed_write_paths as a policy (no size cap).
crm::FilePolicy write_policy();

// Largest single field a reader accepts (bytes): crm.max_field_size.
std::uint64_t max_field_bytes();

}  // namespace crm::pg
