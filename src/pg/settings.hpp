// The crm.* settings (GUCs). Every setting is documented in docs/settings.md.
#pragma once

namespace crm::pg {

struct Settings {
    char* allowed_read_paths = nullptr;  // crm.allowed_read_paths (superuser)
    char* allowed_write_paths = nullptr; // crm.allowed_write_paths (superuser)
    int max_file_size_mb = 0;            // crm.max_file_size (superuser)
    int max_field_size_kb = 0;           // crm.max_field_size (superuser)
    bool enable_test_functions = false;  // crm.enable_test_functions (superuser)
    char* test_pause_at = nullptr;       // crm.test_pause_at (superuser; with enable_test_functions)
    char* allowed_hosts = nullptr;       // crm.allowed_hosts (superuser)
    char* ca_file = nullptr;             // crm.ca_file (superuser)
    int max_response_size_mb = 0;        // crm.max_response_size (superuser)
    int sync_history_days = 0;           // crm.sync_history_days (superuser)
};

extern Settings settings;

void define_settings();

}  // namespace crm::pg
