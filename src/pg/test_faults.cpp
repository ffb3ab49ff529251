// crm._test_fault(kind): proves the C++/PostgreSQL boundary from SQL.
// Each kind fails in one way while C++ objects are alive; the regression
// tests check that the error is clean, the backend survives, and (through
// 'live_objects') that every C++ destructor ran. Disabled unless the
// superuser-only setting crm.enable_test_functions is on.
#include <atomic>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "pg/datum.hpp"
#include "pg/settings.hpp"

namespace {

// Counts live instances, so a test can see that unwinding destroyed them.
std::atomic<long> g_live{0};
struct Tracked {
    std::string payload = std::string(256, 'x');  // owns heap memory, like real C++ state
    Tracked() { ++g_live; }
    Tracked(const Tracked& other) : payload(other.payload) { ++g_live; }
    ~Tracked() { --g_live; }
};

[[noreturn]] void raise_postgres_division_by_zero() {
    // A real PostgreSQL function raising a real ERROR, under the guard.
    crm::pg::guard([] { DirectFunctionCall2(int4div, Int32GetDatum(1), Int32GetDatum(0)); });
    throw std::logic_error("int4div(1, 0) did not raise");
}

void run_failing_spi() {
    crm::pg::guard([] {
        SPI_connect();
        SPI_execute("SELECT pg_catalog.int4div(1, 0)", true, 1);
        SPI_finish();
    });
}

std::string run_fault(const std::string& kind) {
    std::vector<Tracked> alive(8);
    if (kind == "ok") return "ok";
    if (kind == "bad_alloc") throw std::bad_alloc();
    if (kind == "parse_error")
        throw crm::ParseError(crm::Location{"/data/ventes.csv", 1832, 1831, "quantite"}, "invalid number \"12,5,0\"");
    if (kind == "std_exception") throw std::runtime_error("a C++ library failed");
    if (kind == "unknown") throw 42;
    if (kind == "pg_error") raise_postgres_division_by_zero();
    if (kind == "spi_error") {
        run_failing_spi();
        return "spi did not fail";
    }
    // Faults on purpose that the sanitized build of the extension must catch
    // (test/reliability/sanitized_extension.sh). Elsewhere they are benign:
    // the shift gives whatever the machine makes of it, the read lands in
    // the slack malloc keeps after an 8-byte block.
    if (kind == "undefined_shift") {
        volatile int shift = 40;
        return std::to_string(1 << shift);
    }
    if (kind == "heap_overflow_read") {
        std::vector<char> block(8, 'x');
        volatile std::size_t past = block.size();
        return std::string(1, block.data()[past]);
    }
    if (kind == "long_loop") {
        // Spins (allocating and freeing C++ memory) until cancelled.
        crm::InterruptTicker ticker(1024);
        for (;;) {
            alive.emplace_back();
            if (alive.size() > 1024) alive.resize(8);
            ticker.tick();
        }
    }
    throw crm::Error(crm::sqlstate::kInvalidParameterValue, "unknown fault kind \"" + kind + "\"",
                     "", "Use ok, bad_alloc, parse_error, std_exception, unknown, pg_error, spi_error, undefined_shift, "
                     "heap_overflow_read, long_loop, live_objects.");
}

Datum test_fault_impl(FunctionCallInfo fcinfo) {
    if (!crm::pg::settings.enable_test_functions)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("crm._test_fault() is disabled"),
                        errhint("A superuser can SET crm.enable_test_functions = on.")));
    std::string_view kind_arg = crm::pg::text_arg(fcinfo, 0);
    if (kind_arg == "live_objects") return crm::pg::make_text(std::to_string(g_live.load()));
    std::string result = run_fault(std::string(kind_arg));
    return crm::pg::make_text(result);
}

}  // namespace

CRM_SQL_FUNCTION(crm_test_fault, test_fault_impl)
