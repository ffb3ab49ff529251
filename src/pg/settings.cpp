#include "pg/settings.hpp"

#include "pg/postgres_api.hpp"

namespace crm::pg {

Settings settings;

void define_settings() {
    DefineCustomStringVariable(
        "crm.allowed_read_paths", "Directories pg_crm may read files from (comma-separated).",
        "Paths are resolved (symlinks, ..) before the check; an empty list forbids every file read.",
        &settings.allowed_read_paths, "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("crm.max_file_size", "Largest file pg_crm reads.", nullptr, &settings.max_file_size_mb,
                            4096, 1, INT_MAX / 2, PGC_SUSET, GUC_UNIT_MB, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("crm.max_field_size", "Largest single value (CSV field, XLSX cell) pg_crm reads.",
                            "A larger one stops the read with an error naming its line.", &settings.max_field_size_kb,
                            64 * 1024, 1, 1024 * 1024, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("crm.enable_test_functions",
                             "Allows crm._test_fault(), used by the test suite to prove the C++/PostgreSQL boundary.",
                             nullptr, &settings.enable_test_functions, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    // A misspelled crm.* setting is reported instead of silently ignored.
    MarkGUCPrefixReserved("crm");
}

}  // namespace crm::pg
