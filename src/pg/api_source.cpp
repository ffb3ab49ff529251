#include "pg/api_source.hpp"

#include <cstring>

#include "core/error.hpp"
#include "pg/boundary.hpp"
#include "pg/settings.hpp"

namespace crm::pg {

namespace {

// Copies a text Datum into CurrentMemoryContext's parent-safe cstring. Runs
// inside guard(): PostgreSQL allocation only.
char* copy_text(HeapTuple row, TupleDesc desc, int column, MemoryContext into) {
    bool isnull = false;
    Datum d = SPI_getbinval(row, desc, column, &isnull);
    if (isnull) return nullptr;
    MemoryContext old = MemoryContextSwitchTo(into);
    char* out = TextDatumGetCString(d);
    MemoryContextSwitchTo(old);
    return out;
}

}  // namespace

SourceDefinition load_source(const std::string& name) {
    const char* name_c = name.c_str();
    char* kind = nullptr;
    char* config = nullptr;
    guard([&] {
        MemoryContext caller = CurrentMemoryContext;
        SPI_connect();
        Oid types[1] = {TEXTOID};
        Datum args[1] = {CStringGetTextDatum(name_c)};
        SPI_execute_with_args("SELECT kind, config::text FROM crm.source WHERE name = $1", 1, types, args, nullptr,
                              true, 1);
        if (SPI_processed == 1) {
            kind = copy_text(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, caller);
            config = copy_text(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, caller);
        }
        SPI_finish();
    });
    if (kind == nullptr)
        throw crm::Error("42704", "source \"" + name + "\" does not exist", "",
                         "Add it with crm_source_add(name, kind, config); the sources are in crm.source.");
    SourceDefinition out{name, kind, config ? config : "{}"};
    guard([&] {
        pfree(kind);
        if (config) pfree(config);
    });
    return out;
}

namespace {

// Runs `query` ($1 = the secret's name; one text column) as the owner of
// crm.secret (the role that installed pg_crm), the only role that may read
// it: switched to for this one lookup, in a restricted operation, and back
// even on error. Returns the column's value palloc'd, or nullptr for no row.
char* query_secret_as_owner(const char* name, const char* query) {
    char* result = nullptr;
    guard([&] {
        MemoryContext caller = CurrentMemoryContext;
        SPI_connect();
        SPI_execute("SELECT c.relowner FROM pg_catalog.pg_class c "
                    "WHERE c.oid = 'crm.secret'::pg_catalog.regclass",
                    true, 1);
        bool isnull = false;
        Oid owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        Oid saved_user;
        int saved_context;
        GetUserIdAndSecContext(&saved_user, &saved_context);
        SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
        PG_TRY();
        {
            Oid types[1] = {TEXTOID};
            Datum args[1] = {CStringGetTextDatum(name)};
            SPI_execute_with_args(query, 1, types, args, nullptr, true, 1);
            if (SPI_processed == 1) result = copy_text(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, caller);
        }
        PG_FINALLY();
        {
            SetUserIdAndSecContext(saved_user, saved_context);
        }
        PG_END_TRY();
        SPI_finish();
    });
    return result;
}

}  // namespace

std::string read_secret(const std::string& name) {
    if (name.empty()) return {};
    char* value = query_secret_as_owner(name.c_str(), "SELECT value FROM crm.secret WHERE name = $1");
    if (value == nullptr) return {};
    size_t length = std::strlen(value);
    std::string out(value, length);
    // The palloc'd copy is wiped before it returns to the memory pool.
    guard([&] {
        std::memset(value, 0, length);
        pfree(value);
    });
    return out;
}

// Existence only: the value never leaves the table.
bool secret_exists(const std::string& name) {
    char* found = query_secret_as_owner(name.c_str(), "SELECT '' FROM crm.secret WHERE name = $1");
    return found != nullptr;
}

std::vector<crm::HostRule> allowed_host_rules() {
    return crm::parse_allowed_hosts(settings.allowed_hosts ? settings.allowed_hosts : "");
}

}  // namespace crm::pg
