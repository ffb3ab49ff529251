#include "pg/settings.hpp"

#include "core/error.hpp"
#include "core/url_policy.hpp"
#include "pg/postgres_api.hpp"

namespace crm::pg {

Settings settings;

namespace {

// A malformed allow-list is refused when it is set, not at the first request.
// GUC check hooks are plain C callbacks: nothing may be thrown out of them.
bool check_allowed_hosts(char** value, void**, GucSource) {
    static char message[256];
    try {
        crm::parse_allowed_hosts(*value ? *value : "");
        return true;
    } catch (const std::exception& e) {
        snprintf(message, sizeof message, "%s", e.what());
    } catch (...) {
        snprintf(message, sizeof message, "unreadable host list");
    }
    GUC_check_errdetail("%s", message);
    return false;
}

}  // namespace

void define_settings() {
    DefineCustomStringVariable(
        "crm.allowed_read_paths", "Directories pg_crm may read files from (comma-separated).",
        "Paths are resolved (symlinks, ..) before the check; an empty list forbids every file read.",
        &settings.allowed_read_paths, "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "crm.allowed_write_paths", "Directories pg_crm may write exports and reports to (comma-separated).",
        "A target's directory is resolved (symlinks, ..) before the check; an empty list forbids every write.",
        &settings.allowed_write_paths, "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("crm.max_file_size", "Largest file pg_crm reads.", nullptr, &settings.max_file_size_mb,
                            4096, 1, INT_MAX / 2, PGC_SUSET, GUC_UNIT_MB, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("crm.max_field_size", "Largest single value (CSV field, XLSX cell) pg_crm reads.",
                            "A larger one stops the read with an error naming its line.", &settings.max_field_size_kb,
                            64 * 1024, 1, 1024 * 1024, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("crm.enable_test_functions",
                             "Allows crm._test_fault(), used by the test suite to prove the C++/PostgreSQL boundary.",
                             nullptr, &settings.enable_test_functions, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "crm.allowed_hosts", "Hosts the API readers may reach (comma-separated host[:port] or http://host:port).",
        "https only, unless an entry is written http://host:port. Loopback, private and link-local addresses are "
        "refused unless an entry names that address.",
        &settings.allowed_hosts, "", PGC_SUSET, 0, check_allowed_hosts, nullptr, nullptr);
    DefineCustomStringVariable("crm.ca_file", "CA bundle that verifies API servers' TLS certificates.",
                               "Empty: the system's CA store. Verification itself cannot be turned off.",
                               &settings.ca_file, "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("crm.max_response_size", "Largest API response body pg_crm accepts, after decompression.",
                            "Bounds memory per request and stops decompression bombs.",
                            &settings.max_response_size_mb, 256, 1, 4096, PGC_SUSET, GUC_UNIT_MB, nullptr, nullptr,
                            nullptr);
    DefineCustomIntVariable("crm.sync_history_days", "Days of run history kept (crm.sync_run, pg_crm's pg_cron runs).",
                            "Each crm_sync deletes its source's older runs; crm_purge_history (the crm-purge job) "
                            "deletes older crm.sync_run rows and pg_crm's cron.job_run_details rows.",
                            &settings.sync_history_days, 90, 1,
                            36500, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("crm.test_pause_at",
                               "Makes crm_sync pause (60 s) at a named point, for the crash tests.",
                               "Points: after_load, mid_merge, before_publish, before_commit. Only with crm.enable_test_functions.",
                               &settings.test_pause_at, "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    // A misspelled crm.* setting is reported instead of silently ignored.
    MarkGUCPrefixReserved("crm");
}

}  // namespace crm::pg
