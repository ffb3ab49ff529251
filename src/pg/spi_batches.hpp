// A query's rows read through an SPI cursor, a batch at a time: the C++
// functions that aggregate in core (co-purchase, RFM) read crm.sales_lines
// this way, so memory holds one batch of tuples, never the whole result.
#pragma once

#include "pg/boundary.hpp"

namespace crm::pg {

inline constexpr long kSpiBatch = 10000;

// For each batch: take(tuples, n) runs under guard() — PostgreSQL calls
// only, copying what it needs into storage the caller made beforehand —
// then use(n) runs as plain C++. `args` are the query's parameters.
template <typename Take, typename Use>
void read_in_batches(const char* query, int nargs, Oid* types, Datum* args, Take&& take, Use&& use) {
    Portal cursor = nullptr;
    guard([&] {
        SPI_connect();
        SPIPlanPtr plan = SPI_prepare(query, nargs, types);
        if (plan == nullptr) elog(ERROR, "could not prepare \"%s\"", query);
        cursor = SPI_cursor_open(nullptr, plan, args, nullptr, true);
    });
    for (;;) {
        size_t got = 0;
        guard([&] {
            SPI_cursor_fetch(cursor, true, kSpiBatch);
            got = SPI_processed;
            take(SPI_tuptable, got);
        });
        if (got == 0) break;
        use(got);
        guard([&] { SPI_freetuptable(SPI_tuptable); });
    }
    guard([&] {
        SPI_cursor_close(cursor);
        SPI_finish();
    });
}

}  // namespace crm::pg
