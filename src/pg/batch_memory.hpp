// Memory for the datums of one batch of result rows. tuplestore_putvalues
// copies each row into the tuplestore, so what was built for the row (text,
// jsonb) can go at the end of its batch instead of piling up in the query's
// memory until the last row: a 10M-row result then holds one batch of
// datums at a time, not 10M.
#pragma once

#include "pg/boundary.hpp"

namespace crm::pg {

class BatchMemory {
public:
    BatchMemory() {
        guard([&] {
            context_ = AllocSetContextCreate(CurrentMemoryContext, "pg_crm result batch", ALLOCSET_DEFAULT_SIZES);
        });
    }
    BatchMemory(const BatchMemory&) = delete;
    BatchMemory& operator=(const BatchMemory&) = delete;

    // Call inside guard(): runs fill() with the batch memory current, then
    // frees what it allocated. On an error guard() restores the caller's
    // memory context; the batch memory goes with the query's.
    template <typename Fill>
    void rows(Fill&& fill) {
        MemoryContext caller = MemoryContextSwitchTo(context_);
        fill();
        MemoryContextSwitchTo(caller);
        MemoryContextReset(context_);
    }

private:
    MemoryContext context_ = nullptr;
};

}  // namespace crm::pg
