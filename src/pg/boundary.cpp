#include "pg/boundary.hpp"

#include <cstring>
#include <new>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace crm::pg {

const char* PgError::what() const noexcept {
    return edata_ && edata_->message ? edata_->message : "PostgreSQL error";
}

void throw_pg_error(MemoryContext context) {
    // We are just past PG_END_TRY: the error is still in the error stack.
    MemoryContextSwitchTo(context);
    ErrorData* edata = CopyErrorData();
    FlushErrorState();
    throw PgError(edata);
}

namespace {

// Everything needed to report a C++ failure, in fixed buffers: filling it
// allocates nothing, and it has no destructor to skip when ereport longjmps.
struct Failure {
    enum class Kind { None, Postgres, Cancel, Report } kind = Kind::None;
    ErrorData* edata = nullptr;
    char sqlstate[6] = "XX000";
    char message[2048] = "";
    char detail[1024] = "";
    char hint[512] = "";

    static void copy(char* dst, size_t cap, const char* src) {
        size_t n = std::strlen(src);
        if (n >= cap) {
            n = cap - 1;
            // Do not cut a UTF-8 sequence in half: step back to a lead byte.
            while (n > 0 && (static_cast<unsigned char>(src[n]) & 0xC0) == 0x80) --n;
        }
        std::memcpy(dst, src, n);
        dst[n] = '\0';
    }

    void report(const char* state, const char* msg, const char* det = "", const char* hnt = "") {
        kind = Kind::Report;
        edata = nullptr;
        copy(sqlstate, sizeof sqlstate, state && std::strlen(state) == 5 ? state : "XX000");
        copy(message, sizeof message, msg);
        copy(detail, sizeof detail, det);
        copy(hint, sizeof hint, hnt);
    }
};

[[noreturn]] void raise(const Failure& failure) {
    switch (failure.kind) {
        case Failure::Kind::Postgres:
            ReThrowError(failure.edata);
        case Failure::Kind::Cancel:
            // Core code saw a pending cancel and unwound; let PostgreSQL report
            // it with its own message (user request, statement timeout, ...).
            CHECK_FOR_INTERRUPTS();
            ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED), errmsg("canceling statement due to user request")));
        case Failure::Kind::Report:
        case Failure::Kind::None:
            break;
    }
    const char* s = failure.sqlstate;
    ereport(ERROR, (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])), errmsg_internal("%s", failure.message),
                    failure.detail[0] ? errdetail_internal("%s", failure.detail) : 0,
                    failure.hint[0] ? errhint("%s", failure.hint) : 0));
    pg_unreachable();
}

// Reads the backend's flags only; never processes them (that may longjmp).
bool cancel_pending() noexcept {
    if (!InterruptPending || InterruptHoldoffCount != 0 || CritSectionCount != 0) return false;
    return ProcDiePending || (QueryCancelPending && QueryCancelHoldoffCount == 0);
}

}  // namespace

void install_interrupt_probe() { crm::set_interrupt_probe(&cancel_pending); }

// One report area for the backend (which runs one pg_crm call at a time
// on one thread): a local one would be zero-filled on every call, which
// costs more than the call itself for the scalar functions.
Failure last_failure;

Datum call(FunctionCallInfo fcinfo, Implementation impl) {
    try {
        return impl(fcinfo);
    } catch (const PgError& e) {
        last_failure = Failure{};
        last_failure.kind = Failure::Kind::Postgres;
        last_failure.edata = e.edata();
    } catch (const crm::Cancelled&) {
        last_failure.kind = Failure::Kind::Cancel;
    } catch (const crm::Error& e) {
        last_failure.report(e.sqlstate(), e.what(), e.detail().c_str(), e.hint().c_str());
    } catch (const std::bad_alloc&) {
        last_failure.report("53200", "out of memory", "A C++ allocation failed in pg_crm.");
    } catch (const std::exception& e) {
        last_failure.report("XX000", e.what());
    } catch (...) {
        last_failure.report("XX000", "unknown C++ exception in pg_crm");
    }
    // The exception object is destroyed now; no C++ object is alive in this frame.
    raise(last_failure);
}

}  // namespace crm::pg
