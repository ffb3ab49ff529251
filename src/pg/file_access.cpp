#include "pg/file_access.hpp"

#include "pg/settings.hpp"

namespace crm::pg {

crm::FilePolicy read_policy() {
    crm::FilePolicy policy;
    policy.allowed_dirs = crm::split_path_list(settings.allowed_read_paths ? settings.allowed_read_paths : "");
    policy.max_bytes = static_cast<std::uint64_t>(settings.max_file_size_mb) << 20;
    return policy;
}

crm::FilePolicy write_policy() {
    crm::FilePolicy policy;
    policy.allowed_dirs = crm::split_path_list(settings.allowed_write_paths ? settings.allowed_write_paths : "");
    return policy;
}

crm::OpenFile open_allowed_file(const std::string& path) { return crm::open_for_read(path, read_policy()); }

std::uint64_t max_field_bytes() { return static_cast<std::uint64_t>(settings.max_field_size_kb) << 10; }

}  // namespace crm::pg
