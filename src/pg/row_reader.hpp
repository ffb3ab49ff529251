// Turns a TableSource's text rows into rows of a tuple descriptor: maps
// columns to fields by normalised header name (or options.columns, or
// position), converts values with the file's conventions, sends bad rows to
// the RejectLog, and hands finished rows to a sink in batches — one guard
// per batch, not per row. Shared by crm_read_csv/crm_read_xlsx (tuplestore)
// and crm_load (heap multi-insert).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/table_source.hpp"
#include "core/value_convert.hpp"
#include "pg/boundary.hpp"
#include "pg/reject_log.hpp"

namespace crm::pg {

struct ColumnPlan {
    std::string name;
    int attnum = 0;       // 0-based attribute index in the descriptor
    int field = -1;       // index in the source row; -1 = not in the file
    crm::ValueType type = crm::ValueType::Text;
    bool input_function = false;  // a type pg_crm does not convert itself: its input function
    Oid type_oid = InvalidOid;
    int32 typmod = -1;
    FmgrInfo input{};
    Oid ioparam = InvalidOid;
};

class RowReader {
public:
    // `missing_ok`: columns absent from the file are left to the caller
    // (crm_load fills defaults); otherwise an absent column is an error.
    RowReader(crm::TableSource& source, TupleDesc desc, const crm::ReadOptions& options, RejectLog& rejects,
              bool missing_ok);

    // Reads and converts rows until a batch is full or the input ends;
    // returns the number of rows ready (0 at the end).
    size_t read_batch();

    // Forms each ready row (values, nulls over the whole descriptor; absent
    // columns NULL) and calls put(values, nulls), all under one guard. Datums
    // live in a batch memory context reset afterwards.
    // An error raised by PostgreSQL while a row is formed or stored (a type
    // input function, a constraint) gets "CONTEXT: ventes.csv line 1832".
    template <typename Put>
    void emit(Put&& put) {
        guard([&] {
            ErrorContextCallback context{error_context_stack, &RowReader::error_context, this};
            error_context_stack = &context;
            MemoryContext old = MemoryContextSwitchTo(batch_context_);
            for (current_ = 0; current_ < ready_; ++current_) {
                form_row(current_);
                put(values_, nulls_);
            }
            MemoryContextSwitchTo(old);
            MemoryContextReset(batch_context_);
            error_context_stack = context.previous;
        });
        ready_ = 0;
    }

    const std::vector<ColumnPlan>& plan() const { return plan_; }
    std::uint64_t rows_read() const { return rows_read_; }

private:
    struct Cell {
        bool null = true;
        std::string text;
        crm::Converted value;
        int32 date = 0;       // DateADT
        int64 timestamp = 0;  // Timestamp
    };
    bool convert_row(const crm::SourceRow& row, std::vector<Cell>& cells);
    bool is_null(std::string_view text) const;  // one of options.null
    void form_row(size_t r);  // PostgreSQL calls only; runs inside emit's guard
    static void error_context(void* arg);

    crm::TableSource& source_;
    RejectLog& rejects_;
    crm::ValueConverter converter_;
    std::vector<std::string> nulls_list_;
    std::vector<ColumnPlan> plan_;
    int natts_ = 0;
    size_t header_width_ = 0;
    bool strict_width_ = true;
    std::vector<std::vector<Cell>> batch_;
    std::vector<std::uint64_t> batch_lines_;  // source line of each batch row
    size_t ready_ = 0;
    size_t current_ = 0;  // row being emitted, for the error context
    std::uint64_t rows_read_ = 0;
    crm::SourceRow row_;
    Datum* values_ = nullptr;  // palloc'd in the caller's context
    bool* nulls_ = nullptr;
    MemoryContext batch_context_ = nullptr;
};

}  // namespace crm::pg
