// The insert side of crm_load: rows go into a table the way COPY FROM puts
// them there — heap multi-insert with a bulk-insert state, index entries,
// column defaults (identity and serial included), stored generated columns,
// NOT NULL and CHECK constraints — without the executor's per-row
// overhead. Plain PostgreSQL code: every function must run under guard().
//
// Refused, with a hint to use INSERT ... SELECT FROM crm_read_csv(...):
// anything but a plain table, tables with INSERT triggers (foreign keys
// included: they are triggers), and tables with row-level security.
#pragma once

#include "pg/postgres_api.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "executor/tuptable.h"
#include "nodes/execnodes.h"
}

namespace crm::pg {

struct TableTarget {
    Relation rel = nullptr;
    EState* estate = nullptr;
    ResultRelInfo* result = nullptr;
    TupleTableSlot** slots = nullptr;
    int capacity = 0;
    int used = 0;
    BulkInsertState bulk = nullptr;
    CommandId command = 0;
    int ndefaults = 0;
    AttrNumber* default_attnos = nullptr;  // 0-based attribute indexes filled from defaults
    ExprState** default_exprs = nullptr;
    uint64 inserted = 0;
};

// Opens `relid` for insertion (RowExclusiveLock) after checking the caller's
// INSERT privilege on the columns coming from the file.
void target_open(TableTarget* target, Oid relid);
TupleDesc target_desc(const TableTarget* target);
// `from_file[i]`: attribute i is filled from the file; others get defaults.
void target_prepare_defaults(TableTarget* target, const bool* from_file);
void target_put(TableTarget* target, const Datum* values, const bool* nulls);
void target_flush(TableTarget* target);
void target_close(TableTarget* target);

}  // namespace crm::pg
