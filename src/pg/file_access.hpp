// The file policy of crm.allowed_read_paths and crm.max_file_size, applied
// to a path given to a reader.
#pragma once

#include <string>

#include "core/file_policy.hpp"

namespace crm::pg {

// crm.allowed_read_paths and crm.max_file_size as a policy.
crm::FilePolicy read_policy();

// Opens `path` for reading if the settings allow it; throws crm::Error.
crm::OpenFile open_allowed_file(const std::string& path);

// Largest single field a reader accepts (bytes): crm.max_field_size.
std::uint64_t max_field_bytes();

}  // namespace crm::pg
