// The C++/PostgreSQL boundary. Read docs/architecture.md before changing it.
//
// Two directions, two tools:
//  * C++ -> PostgreSQL: every SQL-callable function is declared with
//        CRM_SQL_FUNCTION(crm_name, name_impl)
//    which defines the exported C symbol as a call to call(fcinfo, name_impl).
//    call() catches every C++ exception, lets it be destroyed, and only then
//    raises the PostgreSQL error from a frame with no live C++ object.
//  * PostgreSQL -> C++: a PostgreSQL function that may ereport(ERROR) and is
//    called while C++ objects are alive runs inside guard(), which turns the
//    error into a PgError exception so C++ destructors run. A PgError is
//    always rethrown to call(), never swallowed: the transaction must abort.
//
// An implementation function may call PostgreSQL freely *before* it creates
// its first C++ object with a destructor (argument fetching, for instance);
// after that, only through guard().
#pragma once

#include <exception>

#include "pg/postgres_api.hpp"

namespace crm::pg {

class PgError : public std::exception {
public:
    explicit PgError(ErrorData* edata) noexcept : edata_(edata) {}
    ErrorData* edata() const noexcept { return edata_; }
    const char* what() const noexcept override;

private:
    ErrorData* edata_;  // palloc'd in the memory context current at the guard
};

[[noreturn]] void throw_pg_error(MemoryContext context);

// Runs `fn` (PostgreSQL calls only: no C++ object with a destructor may be
// created inside it) and converts a PostgreSQL error into PgError. Guard per
// batch of rows, not per row: a sigsetjmp per row costs measurable time.
template <typename Fn>
inline void guard(Fn&& fn) {
    MemoryContext context = CurrentMemoryContext;
    volatile bool failed = false;
    PG_TRY();
    {
        fn();
    }
    PG_CATCH();
    {
        failed = true;
    }
    PG_END_TRY();
    if (failed) throw_pg_error(context);
}

using Implementation = Datum (*)(FunctionCallInfo);

// The wrapper every SQL-callable entry point goes through.
Datum call(FunctionCallInfo fcinfo, Implementation impl);

// Installs the interrupt probe used by core loops (called from _PG_init).
void install_interrupt_probe();

}  // namespace crm::pg

// Defines the exported, SQL-callable symbol `name` as the boundary wrapper
// around `impl` (a Datum(FunctionCallInfo) function). The only way pg_crm
// declares an entry point.
#define CRM_SQL_FUNCTION(name, impl)                 \
    extern "C" {                                     \
    PG_FUNCTION_INFO_V1(name);                       \
    PGDLLEXPORT Datum name(PG_FUNCTION_ARGS);        \
    }                                                \
    Datum name(PG_FUNCTION_ARGS) { return crm::pg::call(fcinfo, impl); }
